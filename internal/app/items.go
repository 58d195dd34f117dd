package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// Item returns one item of an assessment; ref may be typed loosely ("a.5.15").
func (s *Service) Item(ctx context.Context, aid, ref string) (assess.Item, error) {
	_, ref, err := s.resolve(ctx, s.store, aid, ref)
	if err != nil {
		return assess.Item{}, err
	}
	return s.store.GetItem(ctx, aid, ref)
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

// UpdateItem applies a patch to an item. baseVersion is the version the
// editor saw; 0 means "the current one" (a field-level change from a script).
// An item changed since baseVersion is not touched: the result is a
// *assess.ConflictError carrying both values.
func (s *Service) UpdateItem(ctx context.Context, actor, aid, ref string, baseVersion int, p ItemPatch) (assess.Item, error) {
	var out assess.Item
	err := s.store.InTx(ctx, func(st store.Store) error {
		var err error
		out, err = s.updateItem(ctx, st, actor, aid, ref, baseVersion, p)
		return err
	})
	return out, err
}

func (s *Service) updateItem(ctx context.Context, st store.Store, actor, aid, ref string, baseVersion int, p ItemPatch) (assess.Item, error) {
	cat, ref, err := s.resolve(ctx, st, aid, ref)
	if err != nil {
		return assess.Item{}, err
	}
	cur, err := st.GetItem(ctx, aid, ref)
	if err != nil {
		return assess.Item{}, err
	}
	if baseVersion == 0 {
		baseVersion = cur.Version
	}
	next := p.Apply(cur)
	if baseVersion != cur.Version {
		next.Version = baseVersion
		return cur, &assess.ConflictError{Ref: ref, Current: cur, Attempted: next, BaseVersion: baseVersion}
	}
	if err := assess.ValidateItem(cat, next); err != nil {
		return cur, err
	}
	changes := assess.DiffItems(cur, next)
	if len(changes) == 0 {
		return cur, nil
	}
	return st.UpdateItem(ctx, aid, next, baseVersion, actor, changes)
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

// MaxEvidenceFile caps an uploaded evidence file.
const MaxEvidenceFile = 20 << 20

// NewEvidence is evidence to attach to an item.
type NewEvidence struct {
	Text        string
	URL         string
	FileName    string
	ContentType string
	Content     []byte
	Date        assess.Date
}

// AddEvidence validates and attaches evidence: a statement, a link, or a file
// (kept in the database with its size, type and SHA-256).
func (s *Service) AddEvidence(ctx context.Context, actor, aid, ref string, in NewEvidence) (assess.Evidence, error) {
	var out assess.Evidence
	err := s.store.InTx(ctx, func(st store.Store) error {
		var err error
		out, err = s.addEvidence(ctx, st, actor, aid, ref, in)
		return err
	})
	return out, err
}

func (s *Service) addEvidence(ctx context.Context, st store.Store, actor, aid, ref string, in NewEvidence) (assess.Evidence, error) {
	_, ref, err := s.resolve(ctx, st, aid, ref)
	if err != nil {
		return assess.Evidence{}, err
	}
	ev, err := buildEvidence(actor, in)
	if err != nil {
		return ev, err
	}
	var content []byte
	if ev.Kind == assess.EvidenceFile {
		content = in.Content
	}
	return st.AddEvidence(ctx, aid, ref, ev, content)
}

func buildEvidence(actor string, in NewEvidence) (assess.Evidence, error) {
	errs := &assess.FieldErrors{Context: "evidence"}
	ev := assess.Evidence{Text: strings.TrimSpace(in.Text), Date: in.Date, AddedBy: actor, Kind: assess.EvidenceText}
	switch {
	case in.FileName != "" || in.Content != nil:
		ev.Kind = assess.EvidenceFile
		ev.FileName = safeFileName(in.FileName)
		ev.ContentType = in.ContentType
		if ev.ContentType == "" {
			ev.ContentType = "application/octet-stream"
		}
		ev.Size = int64(len(in.Content))
		sum := sha256.Sum256(in.Content)
		ev.SHA256 = hex.EncodeToString(sum[:])
		if ev.FileName == "" {
			errs.Add("file_name", in.FileName, "a file needs a name", "")
		}
		if len(in.Content) == 0 {
			errs.Add("file", in.FileName, "the file is empty", "a non-empty file")
		}
		if len(in.Content) > MaxEvidenceFile {
			errs.Add("file", in.FileName, "the file is too large", "at most 20 MiB")
		}
	case in.URL != "":
		ev.Kind = assess.EvidenceLink
		ev.URL = strings.TrimSpace(in.URL)
		u, err := url.Parse(ev.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs.Add("url", in.URL, "not a web link", "an http:// or https:// address")
		}
	default:
		if ev.Text == "" {
			errs.Add("text", "", "evidence needs a description, a link or a file", "")
		}
	}
	if len(ev.Text) > assess.MaxTextLen {
		errs.Add("text", ev.Text[:40]+"…", "too long", "at most 20000 characters")
	}
	return ev, errs.Err()
}

// safeFileName keeps the base name only and drops characters that would
// break a Content-Disposition header or a file system.
func safeFileName(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`"<>|:*?`, r) {
			return '_'
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	return name
}

// RemoveEvidence detaches evidence from its item (recorded in the history).
func (s *Service) RemoveEvidence(ctx context.Context, actor, aid string, id int64) error {
	return s.store.RemoveEvidence(ctx, aid, id, actor)
}

// EvidenceFile returns an evidence entry and its file content.
func (s *Service) EvidenceFile(ctx context.Context, aid string, id int64) (assess.Evidence, []byte, error) {
	return s.store.EvidenceContent(ctx, aid, id)
}

// History lists the recorded changes of an assessment or of one item.
func (s *Service) History(ctx context.Context, aid string, q store.HistoryQuery) ([]assess.Change, error) {
	return s.store.History(ctx, aid, q)
}
