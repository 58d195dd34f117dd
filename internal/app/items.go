package app

import (
	"context"
	"slices"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// Item returns one item of an assessment for p; ref may be typed loosely ("a.5.15").
func (s *Service) Item(ctx context.Context, p Principal, aid, ref string) (assess.Item, error) {
	var it assess.Item
	err := s.reading(ctx, p, aid, func(t *Service, _ Access) error {
		var err error
		it, err = t.item(ctx, aid, ref)
		return err
	})
	return it, err
}

func (s *Service) item(ctx context.Context, aid, ref string) (assess.Item, error) {
	_, ref, err := s.resolve(ctx, s.store, aid, ref)
	if err != nil {
		return assess.Item{}, err
	}
	return s.store.GetItem(ctx, aid, ref)
}

// editable loads an item that acc allows to edit.
func (s *Service) editable(ctx context.Context, acc Access, ref string) (assess.Item, error) {
	cur, err := s.item(ctx, acc.AssessmentID, ref)
	if err != nil {
		return cur, err
	}
	return cur, acc.CheckEdit(cur)
}

// resolve finds an assessment's catalog and the catalog ref for what was typed.
func (s *Service) resolve(ctx context.Context, st store.Store, aid, ref string) (*catalog.Catalog, string, error) {
	a, err := st.GetAssessment(ctx, aid)
	if err != nil {
		return nil, "", err
	}
	cat, err := s.CatalogOf(ctx, a)
	if err != nil {
		return nil, "", err
	}
	ref, err = ResolveRef(cat, ref)
	return cat, ref, err
}

// ItemPatch names the fields an edit changes; nil fields stay as they are.
type ItemPatch struct {
	Score         *assess.Score
	Applicable    *bool
	Justification *string
	Inclusion     *[]string
	InclusionNote *string
	Department    *string
	Owner         *string
	Priority      *assess.Priority
	TargetDate    *assess.Date
	Action        *string
	// EffortDays sets the effort override; ClearEffort removes it.
	EffortDays  *float64
	ClearEffort bool
	Notes       *string
}

// Empty reports whether the patch changes nothing.
func (p ItemPatch) Empty() bool {
	return p == (ItemPatch{})
}

// Fields names the fields the patch sets, as the history names them.
func (p ItemPatch) Fields() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(p.Score != nil, "score")
	add(p.Applicable != nil, "applicable")
	add(p.Justification != nil, "justification")
	add(p.Inclusion != nil, "inclusion")
	add(p.InclusionNote != nil, "inclusion_note")
	add(p.Department != nil, "department")
	add(p.Owner != nil, "owner")
	add(p.Priority != nil, "priority")
	add(p.TargetDate != nil, "target_date")
	add(p.Action != nil, "action")
	add(p.EffortDays != nil || p.ClearEffort, "effort_days")
	add(p.Notes != nil, "notes")
	return out
}

// Apply returns the item with the patch's fields set.
func (p ItemPatch) Apply(it assess.Item) assess.Item {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	if p.Score != nil {
		it.Score = *p.Score
	}
	if p.Applicable != nil {
		it.Applicable = *p.Applicable
		if it.Applicable && p.Justification == nil {
			it.Justification = ""
		}
	}
	set(&it.Justification, p.Justification)
	if p.Inclusion != nil {
		it.Inclusion = normalizeReasons(*p.Inclusion)
	}
	set(&it.InclusionNote, p.InclusionNote)
	set(&it.Department, p.Department)
	set(&it.Owner, p.Owner)
	if p.Priority != nil {
		it.Priority = *p.Priority
	}
	if p.TargetDate != nil {
		it.TargetDate = *p.TargetDate
	}
	set(&it.Action, p.Action)
	if p.EffortDays != nil {
		v := *p.EffortDays
		it.EffortDays = &v
	}
	if p.ClearEffort {
		it.EffortDays = nil
	}
	set(&it.Notes, p.Notes)
	return it
}

// normalizeReasons maps labels to codes and drops duplicates; unknown
// values stay so validation can name them.
func normalizeReasons(in []string) []string {
	var out []string
	for _, r := range in {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if code, ok := assess.ParseReason(r); ok {
			r = code
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// UpdateItem applies an edit for p, if p may edit that item, and attaches
// the evidence given with it, all in one transaction. baseVersion is the
// version the editor saw; 0 means "the current one" (a field-level change
// from a script). An edit based on an older version still applies when
// nobody changed the fields it sets since (see rebase); otherwise the
// result is a *assess.ConflictError carrying both values.
func (s *Service) UpdateItem(ctx context.Context, p Principal, aid, ref string, baseVersion int, patch ItemPatch, evidence ...NewEvidence) (assess.Item, error) {
	var out assess.Item
	err := s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		cur, err := t.editable(ctx, acc, ref)
		if err != nil {
			return err
		}
		out = cur
		if !patch.Empty() {
			if out, err = t.edit(ctx, p, acc, cur, baseVersion, patch); err != nil {
				return err
			}
		}
		for _, e := range evidence {
			if _, err := t.addEvidence(ctx, p.Name(), aid, cur.Ref, e); err != nil {
				return err
			}
		}
		if len(evidence) > 0 {
			out, err = t.store.GetItem(ctx, aid, cur.Ref)
		}
		return err
	})
	if isSaveConflict(err) {
		s.obs.SaveConflict()
	}
	return out, err
}

// edit applies a patch that acc allows to the current item cur.
func (s *Service) edit(ctx context.Context, p Principal, acc Access, cur assess.Item, baseVersion int, patch ItemPatch) (assess.Item, error) {
	if baseVersion != 0 && baseVersion != cur.Version {
		var err error
		if baseVersion, err = s.rebase(ctx, acc.AssessmentID, cur, baseVersion, patch); err != nil {
			return cur, err
		}
	}
	if err := acc.checkPatch(cur, &patch); err != nil {
		return cur, err
	}
	return s.updateItem(ctx, p.Name(), acc.AssessmentID, cur.Ref, baseVersion, patch)
}

// rebase decides what an edit based on an older version of an item
// becomes. If nobody changed the fields it sets since that version (only
// other fields, or evidence), it applies to the current version: both edits
// stay. Otherwise the base stays old and updateItem reports the conflict
// with both values.
func (s *Service) rebase(ctx context.Context, aid string, cur assess.Item, base int, patch ItemPatch) (int, error) {
	if base > cur.Version {
		return base, nil
	}
	theirs, err := s.changedSince(ctx, aid, cur.Ref, base, patch.Fields())
	if err != nil || len(theirs) > 0 {
		return base, err
	}
	return cur.Version, nil
}

// changedSince lists the changes recorded after version base to the given
// fields of an item, oldest first.
func (s *Service) changedSince(ctx context.Context, aid, ref string, base int, fields []string) ([]assess.Change, error) {
	hist, err := s.store.History(ctx, aid, store.HistoryQuery{Ref: ref})
	if err != nil {
		return nil, err
	}
	var out []assess.Change
	for _, h := range hist {
		if h.Version > base && slices.Contains(fields, h.Field) {
			out = append(out, h)
		}
	}
	return out, nil
}

// updateItem applies a patch, unchecked: the callers have checked the
// principal. An item changed since baseVersion is not touched.
func (s *Service) updateItem(ctx context.Context, actor, aid, ref string, baseVersion int, p ItemPatch) (assess.Item, error) {
	cat, ref, err := s.resolve(ctx, s.store, aid, ref)
	if err != nil {
		return assess.Item{}, err
	}
	cur, err := s.store.GetItem(ctx, aid, ref)
	if err != nil {
		return assess.Item{}, err
	}
	if baseVersion == 0 {
		baseVersion = cur.Version
	}
	next := p.Apply(cur)
	if baseVersion != cur.Version {
		next.Version = baseVersion
		theirs, err := s.changedSince(ctx, aid, ref, baseVersion, p.Fields())
		if err != nil {
			return cur, err
		}
		return cur, &assess.ConflictError{Ref: ref, Current: cur, Attempted: next, BaseVersion: baseVersion, Theirs: theirs}
	}
	if err := assess.ValidateItem(cat, next); err != nil {
		return cur, err
	}
	changes := assess.DiffItems(cur, next)
	if len(changes) == 0 {
		return cur, nil
	}
	return s.store.UpdateItem(ctx, aid, next, baseVersion, actor, changes)
}

// ResolveRef finds the catalog ref for what a person typed, or says what is expected.
func ResolveRef(cat *catalog.Catalog, ref string) (string, error) {
	r, ok := cat.LookupRef(ref)
	if !ok {
		e := &assess.FieldErrors{}
		e.Add("ref", ref, "unknown ref", "a ref of catalog "+cat.ID+` such as "4.1", "6.1.2" or "A.5.15" (list them with "isogap catalog")`)
		return "", e
	}
	return r, nil
}
