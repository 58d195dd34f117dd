package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/chart"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
	"github.com/isogap/isogap/internal/soa"
)

// Sheet is a table written as CSV or as an XLSX worksheet.
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]string
	// Widths are column widths in characters.
	Widths []float64
	// Fill, if set, colours a row's cells (hex "#RRGGBB", or "" for none).
	Fill func(row int) string
}

// SoASheet is the Statement of Applicability, one row per Annex A control.
func SoASheet(st soa.Statement) Sheet {
	s := Sheet{Name: "Statement of Applicability",
		Header: []string{"Control", "Title", "Theme", "Applicable", "Reasons for inclusion", "Inclusion note", "Justification for exclusion",
			"Implementation status", "Score", "Owner", "Department", "Evidence", "New in 2022", "Needs attention"},
		Widths: []float64{9, 42, 22, 11, 30, 30, 40, 26, 7, 20, 20, 50, 11, 34}}
	for _, e := range st.Entries {
		score := ""
		if e.Applicable && e.Effective.Assessed() {
			score = strconv.Itoa(int(e.Effective))
		}
		s.Rows = append(s.Rows, []string{e.Ref, e.Title, e.Theme, e.ApplicableText(), strings.Join(e.Inclusion, "; "), e.InclusionNote,
			e.Exclusion, e.Status, score, e.Owner, e.Department, strings.Join(e.Evidence, "\n"), yesNo(e.NewIn2022), strings.Join(e.Problems, "; ")})
	}
	s.Fill = func(row int) string {
		if !st.Entries[row].Applicable {
			return "#EEEEEE"
		}
		return ""
	}
	return s
}

// RiskSheet is the risk register, one row per risk, highest rating first.
func RiskSheet(reg risk.Register) Sheet {
	s := Sheet{Name: "Risk register",
		Header: []string{"ID", "Ref", "Title", "Risk", "Properties", "Status", "Likelihood", "Impact", "Rating", "Level", "Priority",
			"Treatment", "Owner", "Target date", "Planned finish"},
		Widths: []float64{8, 8, 36, 60, 30, 22, 10, 8, 8, 10, 10, 50, 20, 12, 14}}
	for _, r := range reg.Risks {
		s.Rows = append(s.Rows, []string{r.ID, r.Ref, r.Title, r.Description, strings.Join(r.Properties, ", "), r.Status,
			strconv.Itoa(r.Likelihood), strconv.Itoa(r.Impact), strconv.Itoa(r.Rating), r.Level, string(r.Priority),
			r.Treatment, r.Owner, r.Due.String(), r.Planned.String()})
	}
	s.Fill = func(row int) string { return chart.LevelHex[levelIndex(reg.Risks[row].Level)] }
	return s
}

func levelIndex(level string) int {
	for i, l := range risk.Levels {
		if l == level {
			return i
		}
	}
	return 0
}

// ActionsSheet is the roadmap's actions, in planned order.
func ActionsSheet(f plan.Forecast) Sheet {
	s := Sheet{Name: "Roadmap",
		Header: []string{"Ref", "Title", "Phase", "Resource", "Owner", "Department", "Priority", "Status", "Gap", "Effort days", "Effort source",
			"Start", "Finish", "Target date", "Late", "Action"},
		Widths: []float64{8, 40, 14, 20, 20, 20, 10, 22, 6, 10, 12, 12, 12, 12, 6, 50}}
	for _, a := range f.Actions {
		s.Rows = append(s.Rows, []string{a.Ref, a.Title, string(a.Phase), a.Resource, a.Owner, a.Department, string(a.Priority), a.Status,
			strconv.Itoa(a.Gap), strconv.FormatFloat(a.Effort, 'f', 2, 64), a.EffortSource, a.Start.String(), a.Finish.String(),
			a.TargetDate.String(), yesNo(a.Late), a.Action})
	}
	return s
}

// WriteCSV writes a sheet as CSV, with cells that a spreadsheet would run
// as formulas made inert.
func WriteCSV(w io.Writer, s Sheet) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(s.Header); err != nil {
		return err
	}
	for _, row := range s.Rows {
		out := make([]string, len(row))
		for i, c := range row {
			out[i] = app.CSVSafe(c)
		}
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes sheets as one workbook: a styled header, frozen and
// filterable, wrapped text, and the numbers stored as numbers.
func WriteXLSX(w io.Writer, sheets ...Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "#FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#1F5F8B"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	styles := map[string]int{}
	style := func(fill string) (int, error) {
		if id, ok := styles[fill]; ok {
			return id, nil
		}
		st := &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}
		if fill != "" {
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}}
		}
		id, err := f.NewStyle(st)
		styles[fill] = id
		return id, err
	}
	for i, s := range sheets {
		name := s.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		for c, h := range s.Header {
			cell, _ := excelize.CoordinatesToCellName(c+1, 1)
			if err := f.SetCellStr(name, cell, h); err != nil {
				return err
			}
			col, _ := excelize.ColumnNumberToName(c + 1)
			width := 14.0
			if c < len(s.Widths) {
				width = s.Widths[c]
			}
			if err := f.SetColWidth(name, col, col, width); err != nil {
				return err
			}
		}
		last, _ := excelize.CoordinatesToCellName(len(s.Header), 1)
		if err := f.SetCellStyle(name, "A1", last, head); err != nil {
			return err
		}
		for r, row := range s.Rows {
			fill := ""
			if s.Fill != nil {
				fill = s.Fill(r)
			}
			st, err := style(fill)
			if err != nil {
				return err
			}
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
				if n, err := strconv.Atoi(v); err == nil && v == strconv.Itoa(n) {
					err = f.SetCellInt(name, cell, int64(n))
					if err != nil {
						return err
					}
				} else if err := f.SetCellStr(name, cell, v); err != nil {
					return err
				}
			}
			a, _ := excelize.CoordinatesToCellName(1, r+2)
			b, _ := excelize.CoordinatesToCellName(len(row), r+2)
			if err := f.SetCellStyle(name, a, b, st); err != nil {
				return err
			}
		}
		if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		end, _ := excelize.CoordinatesToCellName(len(s.Header), len(s.Rows)+1)
		if err := f.AutoFilter(name, "A1:"+end, nil); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// MatrixSheet is the 5×5 risk matrix: likelihood down (5 on top), impact
// across, each cell the number of risks.
func MatrixSheet(reg risk.Register) Sheet {
	s := Sheet{Name: "Risk matrix", Header: []string{"Likelihood \\ Impact", "1", "2", "3", "4", "5"}, Widths: []float64{20, 8, 8, 8, 8, 8}}
	for l := 5; l >= 1; l-- {
		row := []string{fmt.Sprint(l)}
		for i := 1; i <= 5; i++ {
			row = append(row, fmt.Sprint(reg.Matrix[l-1][i-1]))
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

// WriteRisksXLSX writes the risk register and its matrix as a workbook.
func WriteRisksXLSX(w io.Writer, reg risk.Register) error {
	return WriteXLSX(w, RiskSheet(reg), MatrixSheet(reg))
}

// WriteSoAXLSX writes the Statement of Applicability as a workbook.
func WriteSoAXLSX(w io.Writer, st soa.Statement) error {
	return WriteXLSX(w, SoASheet(st))
}
