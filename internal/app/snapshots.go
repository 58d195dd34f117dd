package app

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/compare"
	"github.com/isogap/isogap/internal/store"
)

// maxSnapshotName bounds a snapshot's name.
const maxSnapshotName = 100

// CheckSnapshotName refuses a name that could not be typed back as ID@NAME.
func CheckSnapshotName(name string) error {
	if !utf8.ValidString(name) || strings.TrimSpace(name) != name || name == "" || utf8.RuneCountInString(name) > maxSnapshotName ||
		strings.ContainsRune(name, '@') || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return &assess.FieldErrors{List: []assess.FieldError{{Where: "snapshot name", Value: assess.Shown(name), Problem: "not a usable name",
			Expected: "1 to 100 characters without '@', control characters or spaces at either end, such as \"baseline\" or \"2027-Q1\""}}}
	}
	return nil
}

// Snapshot is an assessment kept as it was at one moment under a name.
type Snapshot = store.Snapshot

// CreateSnapshot keeps the assessment as it is now under a name (assessors only).
func (s *Service) CreateSnapshot(ctx context.Context, p Principal, id, name string) (Snapshot, error) {
	if err := CheckSnapshotName(name); err != nil {
		return Snapshot{}, err
	}
	var snap Snapshot
	err := s.writing(ctx, p, id, func(t *Service, acc Access) error {
		if err := need(acc.CanManageSnapshots(), "only the assessment's assessors can take snapshots"); err != nil {
			return err
		}
		st := t.store
		a, err := st.GetAssessment(ctx, id)
		if err != nil {
			return err
		}
		items, err := st.ListItems(ctx, id)
		if err != nil {
			return err
		}
		snap = store.Snapshot{AssessmentID: id, Name: name, CreatedAt: t.now(), CreatedBy: p.Name(), Assessment: a, Items: items}
		return st.CreateSnapshot(ctx, snap)
	})
	return snap, err
}

// Snapshots lists an assessment's snapshots with their figures, oldest
// first (any member).
func (s *Service) Snapshots(ctx context.Context, p Principal, id string) ([]SnapshotSummary, error) {
	var out []SnapshotSummary
	err := s.reading(ctx, p, id, func(t *Service, _ Access) error {
		var err error
		out, err = t.snapshots(ctx, id)
		return err
	})
	return out, err
}

func (s *Service) snapshots(ctx context.Context, id string) ([]SnapshotSummary, error) {
	snaps, err := s.store.Snapshots(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []SnapshotSummary{}
	for _, sn := range snaps {
		cat, err := s.CatalogOf(ctx, sn.Assessment)
		if err != nil {
			return nil, err
		}
		res := assess.Compute(cat, sn.Assessment, sn.Items)
		out = append(out, SnapshotSummary{Name: sn.Name, CreatedAt: sn.CreatedAt, CreatedBy: sn.CreatedBy,
			Overall: res.Overall, AuditReady: res.AuditReady, Blockers: len(res.Blockers)})
	}
	return out, nil
}

// DeleteSnapshot removes a snapshot (assessors only).
func (s *Service) DeleteSnapshot(ctx context.Context, p Principal, id, name string) error {
	return s.writing(ctx, p, id, func(t *Service, acc Access) error {
		if err := need(acc.CanManageSnapshots(), "only the assessment's assessors can delete snapshots"); err != nil {
			return err
		}
		return t.store.DeleteSnapshot(ctx, id, name)
	})
}

// state reads what spec names for p: "ID" is the assessment as it is now,
// "ID@NAME" its snapshot NAME. An assessment p is not a member of is "not
// found" here as everywhere.
func (s *Service) state(ctx context.Context, p Principal, spec string) (compare.State, error) {
	id, name, isSnap := strings.Cut(spec, "@")
	if id == "" || isSnap && name == "" {
		return compare.State{}, &assess.FieldErrors{List: []assess.FieldError{{Where: "assessment", Value: spec,
			Problem: "not an assessment or snapshot", Expected: "ID, or ID@SNAPSHOT such as k3m9x2p7qrst@baseline"}}}
	}
	var st compare.State
	err := s.reading(ctx, p, id, func(t *Service, _ Access) error {
		var err error
		st, err = t.stateOf(ctx, spec, id, name, isSnap)
		return err
	})
	return st, err
}

func (s *Service) stateOf(ctx context.Context, spec, id, name string, isSnap bool) (compare.State, error) {
	if !isSnap {
		v, err := s.view(ctx, id)
		if err != nil {
			return compare.State{}, err
		}
		return compare.State{Label: id, Catalog: v.Catalog, Assessment: v.Assessment, Items: v.Items}, nil
	}
	snap, err := s.store.Snapshot(ctx, id, name)
	if err != nil {
		return compare.State{}, err
	}
	cat, err := s.CatalogOf(ctx, snap.Assessment)
	if err != nil {
		return compare.State{}, err
	}
	return compare.State{Label: spec, Catalog: cat, Assessment: snap.Assessment, Items: snap.Items}, nil
}

// Compare compares two states that p may both see, A before B: "ID" is an
// assessment as it is now, "ID@NAME" its snapshot NAME.
func (s *Service) Compare(ctx context.Context, p Principal, a, b string) (compare.Result, error) {
	sa, err := s.state(ctx, p, a)
	if err != nil {
		return compare.Result{}, err
	}
	sb, err := s.state(ctx, p, b)
	if err != nil {
		return compare.Result{}, err
	}
	return compare.Compare(sa, sb), nil
}
