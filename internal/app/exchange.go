package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/interview"
	"github.com/isogap/isogap/internal/jsonx"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/store"
)

// ExportFormat marks isogap's JSON export of a complete assessment.
const ExportFormat = "isogap-assessment/v1"

// Export is a complete assessment as JSON: everything needed to restore it,
// including a custom catalog and evidence files.
type Export struct {
	Format string `json:"format"`
	// Catalog is the custom catalog file the assessment was made from;
	// absent for the built-in catalog.
	Catalog json.RawMessage `json:"catalog,omitempty"`
	assess.Record
}

// exportRecord reads a complete assessment without its file contents,
// unchecked: Source.WriteExport is the way in.
func (s *Service) exportRecord(ctx context.Context, id string) (Export, error) {
	r, err := s.store.Record(ctx, id)
	if err != nil {
		return Export{}, err
	}
	e := Export{Format: ExportFormat, Record: r}
	if r.Assessment.CatalogID != catalog.Builtin().ID {
		content, err := s.store.GetCatalog(ctx, r.Assessment.CatalogID, r.Assessment.CatalogVersion)
		if err != nil {
			return e, err
		}
		e.Catalog = content
	}
	for i := range e.History {
		e.History[i].ID = 0 // row ids are the database's, not the assessment's
	}
	return e, nil
}

// FileWalk calls fn with each evidence file's id and content, one at a time.
type FileWalk func(fn func(id int64, content []byte) error) error

// WriteJSON writes the export, indented. The evidence files come last,
// from e.Files and then from each walk given, one file at a time and
// base64-encoded straight into w: memory holds the assessment and one
// file, whatever the files add up to.
func (e Export) WriteJSON(w io.Writer, walks ...FileWalk) error {
	files := e.Files
	e.Files = nil
	head, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	// head ends with "\n}": the files go in before that brace.
	bw.Write(head[:len(head)-2])
	n := 0
	put := func(id int64, content []byte) error {
		if n == 0 {
			bw.WriteString(",\n  \"files\": {")
		} else {
			bw.WriteString(",")
		}
		n++
		fmt.Fprintf(bw, "\n    \"%d\": \"", id)
		enc := base64.NewEncoder(base64.StdEncoding, bw)
		enc.Write(content)
		enc.Close()
		_, err := bw.WriteString(`"`)
		return err // a failed write shows here: bufio keeps its first error
	}
	ids := slices.Sorted(maps.Keys(files))
	for _, id := range ids {
		if err := put(id, files[id]); err != nil {
			return err
		}
	}
	for _, walk := range walks {
		if err := walk(put); err != nil {
			return err
		}
	}
	if n > 0 {
		bw.WriteString("\n  }")
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// ImportOptions say what to do when the assessment's id already exists.
type ImportOptions struct {
	// AsNew gives the imported assessment a fresh id.
	AsNew bool
	// Replace deletes the existing assessment with the same id first.
	Replace bool
}

// maxImportBytes bounds a JSON import.
const maxImportBytes = 512 << 20

// ImportJSON restores an assessment from an export for p. The whole file
// is checked first; on any problem nothing is written and every problem is
// listed with where it is. A user always imports a copy under a new id and
// becomes its assessor; the CLI may keep the id or replace an assessment.
func (s *Service) ImportJSON(ctx context.Context, p Principal, r io.Reader, opt ImportOptions) (assess.Assessment, error) {
	a, err := s.importJSON(ctx, p, r, opt)
	s.obs.Import(ImportFormatJSON, importOutcome(err))
	return a, err
}

func (s *Service) importJSON(ctx context.Context, p Principal, r io.Reader, opt ImportOptions) (assess.Assessment, error) {
	if err := requireSignedIn(p); err != nil {
		return assess.Assessment{}, err
	}
	if !p.System {
		opt = ImportOptions{AsNew: true}
	}
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return assess.Assessment{}, err
	}
	e, cat, err := ParseExport(data)
	if err != nil {
		return assess.Assessment{}, err
	}
	rec := e.Record
	if opt.AsNew {
		rec.Assessment.ID = assess.NewID()
		unlinkInterviews(&rec)
	}
	if !p.System {
		markImported(&rec, p.Name())
	}
	err = s.store.InTx(ctx, func(st store.Store) error {
		if err := s.requireCreator(ctx, st, p); err != nil {
			return err
		}
		if len(e.Catalog) > 0 {
			if err := s.registerCatalog(ctx, st, cat, e.Catalog); err != nil {
				return err
			}
		}
		if opt.Replace {
			if err := st.DeleteAssessment(ctx, rec.Assessment.ID); err != nil && assess.KindOf(err) != assess.KindNotFound {
				return err
			}
		} else if _, err := st.GetAssessment(ctx, rec.Assessment.ID); err == nil {
			return assess.Errorf(assess.KindConflict,
				"assessment %s already exists: import with --as-new for a copy under a new id, or --replace to overwrite it", rec.Assessment.ID)
		}
		if err := st.LoadRecord(ctx, rec); err != nil {
			return err
		}
		return s.makeAssessor(ctx, st, p, rec.Assessment.ID)
	})
	return rec.Assessment, err
}

// markImported records who brought a record in: every name in it (the
// history's actors, who last changed each item, who added each evidence,
// who set the assumptions, who took each snapshot) becomes
// "imported: NAME (by IMPORTER)". The file is the importer's word, not the
// named people's: a user cannot write history in somebody else's name, and
// the history keeps what the file says happened, marked as such. The
// command line restores exports as they are: it works on whole databases
// and answers for them.
func markImported(r *assess.Record, importer string) {
	mark := func(name string) string { return "imported: " + orSomeone(name) + " (by " + importer + ")" }
	for i := range r.History {
		r.History[i].Actor = mark(r.History[i].Actor)
	}
	for i := range r.Items {
		it := &r.Items[i]
		it.UpdatedBy = mark(it.UpdatedBy)
		it.Evidence = slices.Clone(it.Evidence)
		for j := range it.Evidence {
			it.Evidence[j].AddedBy = mark(it.Evidence[j].AddedBy)
		}
	}
	if r.Plan != nil {
		pl := *r.Plan
		pl.UpdatedBy = mark(pl.UpdatedBy)
		r.Plan = &pl
	}
	r.Snapshots = slices.Clone(r.Snapshots)
	for i := range r.Snapshots {
		r.Snapshots[i].CreatedBy = mark(r.Snapshots[i].CreatedBy)
	}
	r.Interviews = slices.Clone(r.Interviews)
	for i := range r.Interviews {
		iv := &r.Interviews[i]
		iv.CreatedBy = mark(iv.CreatedBy)
		iv.Answers, iv.Notes = slices.Clone(iv.Answers), slices.Clone(iv.Notes)
		iv.Evidence, iv.Decisions = slices.Clone(iv.Evidence), slices.Clone(iv.Decisions)
		for j := range iv.Answers {
			iv.Answers[j].By = mark(iv.Answers[j].By)
		}
		for j := range iv.Notes {
			iv.Notes[j].By = mark(iv.Notes[j].By)
		}
		for j := range iv.Evidence {
			iv.Evidence[j].AddedBy = mark(iv.Evidence[j].AddedBy)
		}
		for j := range iv.Decisions {
			iv.Decisions[j].By = mark(iv.Decisions[j].By)
		}
	}
}

// unlinkInterviews drops the links and sessions of a record's interviews:
// a copy under a new id is not opened by the original's links.
func unlinkInterviews(r *assess.Record) {
	r.Interviews = slices.Clone(r.Interviews)
	for i := range r.Interviews {
		r.Interviews[i].TokenHash, r.Interviews[i].SessionHash, r.Interviews[i].TokenExpires = "", "", time.Time{}
	}
}

// ParseExport reads and checks a JSON export without writing anything: the
// format, the catalog it carries (if custom) and every item against it.
func ParseExport(data []byte) (Export, *catalog.Catalog, error) {
	if len(data) > maxImportBytes {
		return Export{}, nil, assess.Errorf(assess.KindInvalid, "the file is larger than %d MiB", maxImportBytes>>20)
	}
	var e Export
	if err := jsonx.DecodeStrict(data, &e); err != nil {
		return e, nil, assess.Wrap(assess.KindInvalid, err, "not an isogap assessment export")
	}
	if e.Format != ExportFormat {
		return e, nil, assess.Errorf(assess.KindInvalid, "format: got %q, want %q (a file written by \"isogap export --format json\")", e.Format, ExportFormat)
	}
	cat := catalog.Builtin()
	if len(e.Catalog) > 0 {
		var err error
		if cat, err = catalog.Parse(bytes.NewReader(e.Catalog)); err != nil {
			return e, nil, assess.Wrap(assess.KindInvalid, err, "catalog")
		}
	}
	return e, cat, validateRecord(cat, e.Record)
}

// validateRecord checks a whole record against its catalog.
func validateRecord(cat *catalog.Catalog, r assess.Record) error {
	errs := &assess.FieldErrors{Context: "import"}
	a := r.Assessment
	if a.ID == "" {
		errs.Add("assessment.id", "", "missing", "the assessment's id")
	}
	if a.CatalogID != cat.ID {
		errs.Add("assessment.catalog_id", a.CatalogID, "does not match the catalog", cat.ID)
	}
	if a.Version < 1 {
		errs.Add("assessment.version", strconv.Itoa(a.Version), "must be at least 1", "")
	}
	if err := assess.ValidateAssessment(cat, a); err != nil {
		for _, f := range err.(*assess.FieldErrors).List {
			f.Where = "assessment." + f.Where
			errs.List = append(errs.List, f)
		}
	}
	seen := map[string]bool{}
	evIDs := map[int64]bool{}
	for i, it := range r.Items {
		where := fmt.Sprintf("items[%d]", i)
		if seen[it.Ref] {
			errs.Add(where+".ref", assess.Shown(it.Ref), "duplicate item", "each catalog item once")
		}
		seen[it.Ref] = true
		if it.Version < 1 {
			errs.Add(where+".version", strconv.Itoa(it.Version), "must be at least 1", "")
		}
		if err := assess.ValidateItem(cat, it); err != nil {
			for _, f := range err.(*assess.FieldErrors).List {
				f.Where = where + " (" + assess.Shown(it.Ref) + ")." + f.Where
				errs.List = append(errs.List, f)
			}
		}
		checkActor(errs, where+".updated_by", it.UpdatedBy)
		for j, ev := range it.Evidence {
			checkRecordEvidence(errs, fmt.Sprintf("%s.evidence[%d]", where, j), ev, r.Files, evIDs)
		}
	}
	validateInterviews(errs, cat, r, evIDs)
	for _, ci := range cat.Items {
		if !seen[ci.Ref] {
			errs.Add("items", ci.Ref, "catalog item missing", "one entry for every item of catalog "+cat.ID)
		}
	}
	for id := range r.Files {
		if !evIDs[id] {
			errs.Add("files", strconv.FormatInt(id, 10), "file without an evidence entry", "")
		}
	}
	for i, h := range r.History {
		where := fmt.Sprintf("history[%d]", i)
		assess.CheckShort(errs, where+".ref", h.Ref)
		assess.CheckShort(errs, where+".field", h.Field)
		checkActor(errs, where+".actor", h.Actor)
		assess.CheckText(errs, where+".old", h.Old, assess.MaxHistoryLen, true)
		assess.CheckText(errs, where+".new", h.New, assess.MaxHistoryLen, true)
	}
	if r.Plan != nil {
		checkActor(errs, "plan.updated_by", r.Plan.UpdatedBy)
		if r.Plan.Version < 1 {
			errs.Add("plan.version", strconv.Itoa(r.Plan.Version), "must be at least 1", "")
		}
		if _, err := plan.Apply(plan.Defaults(), r.Plan.Values); err != nil {
			errs.Add("plan.values", "", err.Error(), "settings listed by \"isogap plan --help\"")
		}
	}
	names := map[string]bool{}
	for i, snap := range r.Snapshots {
		where := fmt.Sprintf("snapshots[%d]", i)
		if err := CheckSnapshotName(snap.Name); err != nil {
			errs.Add(where+".name", assess.Shown(snap.Name), "not a usable snapshot name", "1 to 100 characters without '@'")
		}
		if names[snap.Name] {
			errs.Add(where+".name", assess.Shown(snap.Name), "duplicate snapshot name", "each name once")
		}
		names[snap.Name] = true
		checkActor(errs, where+".created_by", snap.CreatedBy)
		if err := assess.ValidateAssessment(cat, snap.Assessment); err != nil {
			errs.Add(where+".assessment", "", err.Error(), "the assessment as it was")
		}
		for _, it := range snap.Items {
			if err := assess.ValidateItem(cat, it); err != nil {
				errs.Add(where+".items", assess.Shown(it.Ref), err.Error(), "items of catalog "+cat.ID)
				break
			}
		}
	}
	return errs.Err()
}

// checkActor checks a name an import records as having done something.
// Names are one line of at most assess.MaxShortLen characters when people
// set them, but each import by a user wraps them in a mark (markImported),
// so a copy of a copy carries longer ones: the limit leaves room for that.
func checkActor(errs *assess.FieldErrors, where, name string) {
	assess.CheckText(errs, where, name, assess.MaxTextLen, false)
}

// CSVHeader lists the columns of the CSV export.
var CSVHeader = []string{"ref", "kind", "section", "title", "department", "owner", "score", "effective_score", "status",
	"applicable", "justification", "inclusion", "priority", "target_date", "action", "effort_days", "evidence", "notes",
	"readiness", "version", "updated_at", "updated_by"}

// WriteCSV writes one row per item with the figures isogap computes.
func WriteCSV(w io.Writer, v View) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	status := map[string]assess.ItemStatus{}
	for _, is := range v.Result.Items {
		status[is.Ref] = is
	}
	for _, it := range v.Items {
		ci, _ := v.Catalog.Item(it.Ref)
		is := status[it.Ref]
		var ev []string
		for _, e := range it.Evidence {
			ev = append(ev, e.Summary())
		}
		effort := ""
		if it.EffortDays != nil {
			effort = strconv.FormatFloat(*it.EffortDays, 'f', -1, 64)
		}
		score, eff := "", ""
		if it.Score.Assessed() {
			score = strconv.Itoa(int(it.Score))
			eff = strconv.Itoa(int(is.Effective))
		}
		row := []string{it.Ref, ci.Kind, ci.Section, ci.Title, it.Department, it.Owner, score, eff, is.Status,
			yesNo(is.Applicable), it.Justification, strings.Join(it.Inclusion, ";"), string(it.Priority), it.TargetDate.String(),
			it.Action, effort, strings.Join(ev, " | "), it.Notes, strconv.FormatFloat(is.Readiness, 'f', 4, 64),
			strconv.Itoa(it.Version), it.UpdatedAt.Format("2006-01-02T15:04:05Z"), it.UpdatedBy}
		for i := range row {
			row[i] = CSVSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSVSafe keeps a spreadsheet from running user text as a formula.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// checkRecordEvidence checks one evidence entry of a record and its file.
func checkRecordEvidence(errs *assess.FieldErrors, ew string, ev assess.Evidence, files map[int64][]byte, evIDs map[int64]bool) {
	if ev.ID < 1 || evIDs[ev.ID] {
		errs.Add(ew+".id", strconv.FormatInt(ev.ID, 10), "missing or duplicate evidence id", "a positive number unique in the assessment")
	}
	evIDs[ev.ID] = true
	checkActor(errs, ew+".added_by", ev.AddedBy)
	if err := assess.ValidateEvidence(ev); err != nil {
		for _, f := range err.(*assess.FieldErrors).List {
			f.Where = ew + "." + f.Where
			errs.List = append(errs.List, f)
		}
	}
	if ev.Kind != assess.EvidenceFile {
		return
	}
	content, ok := files[ev.ID]
	if !ok {
		errs.Add(ew, assess.Shown(ev.FileName), "the file's content is missing from \"files\"", "")
		return
	}
	sum := sha256.Sum256(content)
	if hex.EncodeToString(sum[:]) != ev.SHA256 || int64(len(content)) != ev.Size {
		errs.Add(ew, assess.Shown(ev.FileName), "the file's content does not match its size and SHA-256", "the file as exported")
	}
}

// validateInterviews checks a record's interviews: numbering, states,
// refs, answers and notes against the catalog, and their evidence as item
// evidence is checked.
func validateInterviews(errs *assess.FieldErrors, cat *catalog.Catalog, r assess.Record, evIDs map[int64]bool) {
	ids := map[int64]bool{}
	for i, iv := range r.Interviews {
		where := fmt.Sprintf("interviews[%d]", i)
		if iv.ID < 1 || ids[iv.ID] {
			errs.Add(where+".id", strconv.FormatInt(iv.ID, 10), "missing or duplicate interview id", "a positive number unique in the assessment")
		}
		ids[iv.ID] = true
		if !interview.State(iv.State).Valid() {
			errs.Add(where+".state", assess.Shown(iv.State), "unknown state", "draft, sent, in_progress, submitted, reviewed or revoked")
		}
		assess.CheckShort(errs, where+".name", iv.Name)
		assess.CheckShort(errs, where+".email", iv.Email)
		assess.CheckShort(errs, where+".department", iv.Department)
		checkActor(errs, where+".created_by", iv.CreatedBy)
		refs := map[string]bool{}
		for j, ref := range iv.Refs {
			if _, ok := cat.Item(ref); !ok || refs[ref] {
				errs.Add(fmt.Sprintf("%s.refs[%d]", where, j), assess.Shown(ref), "unknown or repeated ref", "each a ref of catalog "+cat.ID+" once")
			}
			refs[ref] = true
		}
		question := func(w, qid string) {
			ref, _, _ := strings.Cut(qid, "#")
			ci, ok := cat.Item(ref)
			if !ok || !refs[ref] || !slices.ContainsFunc(ci.Questions, func(q catalog.Question) bool { return q.ID == qid }) {
				errs.Add(w+".question_id", assess.Shown(qid), "not a question of the interview's items", "")
			}
		}
		for j, a := range iv.Answers {
			w := fmt.Sprintf("%s.answers[%d]", where, j)
			question(w, a.QuestionID)
			if k := interview.Kind(a.Kind); !k.Valid() || a.Ref+"#" != a.QuestionID[:min(len(a.QuestionID), len(a.Ref)+1)] {
				errs.Add(w, assess.Shown(a.Kind+" "+a.Ref), "unknown answer, or a ref that is not the question's", "")
			}
			assess.CheckLong(errs, w+".comment", a.Comment)
			checkActor(errs, w+".by", a.By)
		}
		for j, n := range iv.Notes {
			w := fmt.Sprintf("%s.notes[%d]", where, j)
			question(w, n.QuestionID)
			assess.CheckLong(errs, w+".text", n.Text)
			checkActor(errs, w+".by", n.By)
		}
		for j, d := range iv.Decisions {
			w := fmt.Sprintf("%s.decisions[%d]", where, j)
			if !refs[d.Ref] || d.Score < 1 || d.Score > 5 {
				errs.Add(w, assess.Shown(d.Ref), "a decision needs a ref of the interview and a score from 1 to 5", "")
			}
			checkActor(errs, w+".by", d.By)
		}
		for j, ev := range iv.Evidence {
			w := fmt.Sprintf("%s.evidence[%d]", where, j)
			question(w, ev.QuestionID)
			checkRecordEvidence(errs, w, ev.Evidence, r.Files, evIDs)
		}
	}
}
