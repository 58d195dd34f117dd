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
	at, err := s.locate(ctx, aid, ref)
	return at.it, err
}

// located is an item read with its assessment's header and catalog: what
// editing it and showing it need.
type located struct {
	a   assess.Assessment
	cat *catalog.Catalog
	it  assess.Item
}

// locate reads an item with its assessment and catalog; ref may be typed loosely.
func (s *Service) locate(ctx context.Context, aid, ref string) (located, error) {
	return s.locateFrom(ctx, aid, ref, nil)
}

func (s *Service) locateFrom(ctx context.Context, aid, ref string, early *assess.Item) (located, error) {
	var at located
	var err error
	if at.a, err = s.store.GetAssessment(ctx, aid); err != nil {
		return at, err
	}
	if at.cat, err = s.CatalogOf(ctx, at.a); err != nil {
		return at, err
	}
	if ref, err = ResolveRef(at.cat, ref); err != nil {
		return at, err
	}
	if early != nil && early.Ref == ref {
		at.it = *early
		return at, nil
	}
	at.it, err = s.store.GetItem(ctx, aid, ref)
	return at, err
}

// editable loads an item that acc allows to edit.
func (s *Service) editable(ctx context.Context, acc Access, ref string) (located, error) {
	return s.editableFrom(ctx, acc, ref, nil)
}

// editableFrom is editable with the item already read (early), if it is
// the one ref names.
func (s *Service) editableFrom(ctx context.Context, acc Access, ref string, early *assess.Item) (located, error) {
	at, err := s.locateFrom(ctx, acc.AssessmentID, ref, early)
	if err != nil {
		return at, err
	}
	return at, acc.CheckEdit(at.it)
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
	v, err := s.saveItem(ctx, p, aid, ref, baseVersion, patch, evidence)
	return v.Item, err
}

// ItemView is one item with what showing it needs: its assessment's
// header and catalog, its place in the figures, and what p may do.
type ItemView struct {
	Assessment assess.Assessment
	Catalog    *catalog.Catalog
	Item       assess.Item
	Status     assess.ItemStatus
	Access     Access
}

// SaveItem is UpdateItem for a surface that shows the one item it saved
// (the matrix's row): it reads the item, its assessment's header and the
// history the edit merges with, under the assessment's lock as UpdateItem
// does, and no other item, so a save costs the same in an assessment of
// any size. The figures of the whole assessment are left to the pages
// that show them.
func (s *Service) SaveItem(ctx context.Context, p Principal, aid, ref string, baseVersion int, patch ItemPatch) (ItemView, error) {
	return s.saveItem(ctx, p, aid, ref, baseVersion, patch, nil)
}

func (s *Service) saveItem(ctx context.Context, p Principal, aid, ref string, baseVersion int, patch ItemPatch, evidence []NewEvidence) (ItemView, error) {
	var out ItemView
	// The item is read before the lock (on PostgreSQL the lock is then held
	// for one round trip less), with the revision it is at. It is used only
	// if the lock raised that revision by one: nothing was written to the
	// assessment in between. Otherwise it is read again under the lock.
	var early *assess.Item
	var earlyRev int64
	before := func(st store.Store) {
		if it, rev, err := st.GetItemAt(ctx, aid, ref); err == nil {
			early, earlyRev = &it, rev
		}
	}
	err := s.writingAfter(ctx, p, aid, before, func(t *Service, acc Access) error {
		if early != nil {
			if rev, err := t.store.Revision(ctx, aid); err != nil || rev != earlyRev+1 {
				early = nil
			}
		}
		at, err := t.editableFrom(ctx, acc, ref, early)
		if err != nil {
			return err
		}
		it := at.it
		if !patch.Empty() {
			if it, err = t.edit(ctx, p, acc, at, baseVersion, patch); err != nil {
				return err
			}
		}
		for _, e := range evidence {
			if _, err := t.addEvidence(ctx, p.Name(), aid, it.Ref, e); err != nil {
				return err
			}
		}
		if len(evidence) > 0 {
			if it, err = t.store.GetItem(ctx, aid, it.Ref); err != nil {
				return err
			}
		}
		ci, _ := at.cat.Item(it.Ref)
		out = ItemView{Assessment: at.a, Catalog: at.cat, Item: it, Status: assess.StatusOf(ci, at.a, it), Access: acc}
		return nil
	})
	if isSaveConflict(err) {
		s.obs.SaveConflict()
	}
	return out, err
}

// edit applies a patch that acc allows to the item at, read under the lock.
func (s *Service) edit(ctx context.Context, p Principal, acc Access, at located, baseVersion int, patch ItemPatch) (assess.Item, error) {
	cur := at.it
	if baseVersion != 0 && baseVersion != cur.Version {
		var err error
		if baseVersion, err = s.rebase(ctx, acc.AssessmentID, cur, baseVersion, patch); err != nil {
			return cur, err
		}
	}
	if err := acc.checkPatch(cur, &patch); err != nil {
		return cur, err
	}
	return s.apply(ctx, p.Name(), at, baseVersion, patch)
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
	at, err := s.locate(ctx, aid, ref)
	if err != nil {
		return assess.Item{}, err
	}
	return s.apply(ctx, actor, at, baseVersion, p)
}

// apply stores a patch to the item at, read in this transaction, if it is
// still at baseVersion (0: whatever version it is at).
func (s *Service) apply(ctx context.Context, actor string, at located, baseVersion int, p ItemPatch) (assess.Item, error) {
	cur, aid, ref := at.it, at.a.ID, at.it.Ref
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
	if err := assess.ValidateItem(at.cat, next); err != nil {
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
