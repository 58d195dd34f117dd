package app

import (
	"context"
	"io"
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
	Write    func(ctx context.Context, s *Service, aid string, w io.Writer) error
}

// DefaultFormats are the formats isogap itself writes.
func DefaultFormats() []Format {
	return []Format{
		{
			Name: "json", Label: "JSON (complete)", Ext: "json", ContentType: "application/json", Evidence: true,
			Description: "Everything: scope, stakeholders, items, evidence files and history. \"isogap import\" restores it exactly.",
			Write: func(ctx context.Context, s *Service, aid string, w io.Writer) error {
				e, err := s.Export(ctx, aid)
				if err != nil {
					return err
				}
				return e.WriteJSON(w)
			},
		},
		{
			Name: "csv", Label: "CSV (one row per item)", Ext: "csv", ContentType: "text/csv; charset=utf-8",
			Description: "Scores, status, owners, dates, evidence summaries and readiness, for spreadsheets and BI tools.",
			Write: func(ctx context.Context, s *Service, aid string, w io.Writer) error {
				v, err := s.View(ctx, aid)
				if err != nil {
					return err
				}
				return WriteCSV(w, v)
			},
		},
	}
}
