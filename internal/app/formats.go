package app

import (
	"context"
	"io"
	"time"

	"github.com/isogap/isogap/internal/oscal"
)

// Format is one way to download an assessment. Surfaces list the formats
// they are given, so another format (the XLSX workbook) plugs in by adding
// one more Format to that list.
type Format struct {
	// Name is the short name used in URLs and on the command line: "json".
	Name string
	// Label and Description are shown on the downloads page.
	Label       string
	Description string
	// Ext is the file name extension, without the dot.
	Ext string
	// File is a word for the file name ("risks" → acme-ltd-risks-2027-01-04.xlsx),
	// empty for the assessment itself.
	File string
	// Topic names the result page that offers the download besides the
	// downloads page: "report", "roadmap", "risks" or "soa".
	Topic       string
	ContentType string
	// Evidence marks a format that carries evidence files: only members
	// allowed to download evidence get it.
	Evidence bool
	Write    func(src Source, w io.Writer) error
}

// Source is what a format writes from: one assessment, read for the
// principal who asked, so a format can only write what that principal may
// read.
type Source struct {
	ctx context.Context
	svc *Service
	p   Principal
	aid string
}

// AssessmentID is the assessment's id.
func (src Source) AssessmentID() string { return src.aid }

// Context is the request's context.
func (src Source) Context() context.Context { return src.ctx }

// Now is the service's clock: the date a file is written on.
func (src Source) Now() time.Time { return src.svc.Now() }

// View loads the assessment with its figures.
func (src Source) View() (View, error) {
	v, _, err := src.svc.View(src.ctx, src.p, src.aid)
	return v, err
}

// Results computes every result as of now.
func (src Source) Results() (Results, error) {
	return src.svc.Results(src.ctx, src.p, src.aid, nil, AllResults)
}

// WriteExport writes the complete assessment as JSON, evidence files
// included, from one consistent view of it; the files are streamed one at
// a time (see Export.WriteJSON).
func (src Source) WriteExport(w io.Writer) error {
	return src.svc.reading(src.ctx, src.p, src.aid, func(t *Service, acc Access) error {
		if err := need(acc.CanDownloadEvidence(), "the complete export carries evidence files, which viewers cannot download"); err != nil {
			return err
		}
		e, err := t.exportRecord(src.ctx, src.aid)
		if err != nil {
			return err
		}
		return e.WriteJSON(w, func(fn func(int64, []byte) error) error {
			return t.store.EvidenceFiles(src.ctx, src.aid, fn)
		})
	})
}

// Export writes an assessment in a format for p. Formats that carry
// evidence files need the right to download evidence.
func (s *Service) Export(ctx context.Context, p Principal, aid string, f Format, w io.Writer) error {
	acc, err := s.Access(ctx, p, aid)
	if err != nil {
		return err
	}
	if err := need(!f.Evidence || acc.CanDownloadEvidence(), "the %s download carries evidence files, which viewers cannot download", f.Label); err != nil {
		return err
	}
	return f.Write(Source{ctx: ctx, svc: s, p: p, aid: aid}, w)
}

// DefaultFormats are the formats isogap itself writes.
func DefaultFormats() []Format {
	return []Format{
		{
			Name: "json", Label: "JSON (complete)", Ext: "json", ContentType: "application/json", Evidence: true,
			Description: "Everything: scope, stakeholders, items, evidence files and history. \"isogap import\" restores it exactly.",
			Write:       func(src Source, w io.Writer) error { return src.WriteExport(w) },
		},
		{
			Name: "csv", Label: "CSV (one row per item)", Ext: "csv", ContentType: "text/csv; charset=utf-8",
			Description: "Scores, status, owners, dates, evidence summaries and readiness, for spreadsheets and BI tools.",
			Write: func(src Source, w io.Writer) error {
				v, err := src.View()
				if err != nil {
					return err
				}
				return WriteCSV(w, v)
			},
		},
		{
			Name: "oscal-catalog", Label: "OSCAL catalog (JSON)", Ext: "json", File: "oscal-catalog", ContentType: "application/json",
			Description: "The catalog this assessment uses as an OSCAL 1.2 catalog: a group per clause and theme, a control per item with its questions and attributes, for other OSCAL tools.",
			Write: func(src Source, w io.Writer) error {
				v, err := src.View()
				if err != nil {
					return err
				}
				return oscal.WriteCatalog(w, v.Catalog)
			},
		},
		oscalFormat(Format{Name: "oscal-assessment-results", Label: "OSCAL assessment results (JSON)", File: "oscal-assessment-results",
			Description: "NIST OSCAL 1.2 assessment results for GRC tools: a finding and an observation per item (score, status, owner, " +
				"evidence with SHA-256 hashes, not the files) and what blocks audit-readiness as risks."}, oscal.WriteAssessmentResults),
		oscalFormat(Format{Name: "oscal-poam", Label: "OSCAL plan of action and milestones (JSON)", File: "oscal-poam",
			Description: "NIST OSCAL 1.2 POA&M: every gap with its remediation action, owner, priority, target date, " +
				"and the roadmap's effort and planned dates."}, oscal.WritePOAM),
	}
}

// oscalFormat is an OSCAL document written as of the assessment's last
// change (see OSCALInput), so re-exports of an unchanged assessment are equal.
func oscalFormat(f Format, write func(io.Writer, oscal.Input) error) Format {
	f.Ext, f.ContentType = "json", "application/json"
	f.Write = func(src Source, w io.Writer) error {
		in, err := src.OSCAL()
		if err != nil {
			return err
		}
		return write(w, in)
	}
	return f
}
