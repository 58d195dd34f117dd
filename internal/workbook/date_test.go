package workbook

import (
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

func TestReadDate(t *testing.T) {
	tests := []struct {
		in    string
		order DateOrder
		want  string // "" for an error
		err   string
	}{
		{"2027-03-31", "", "2027-03-31", ""},
		{"31/03/2027", "", "2027-03-31", ""},
		{"03/31/2027", "", "2027-03-31", ""},
		{"31.03.2027", "", "2027-03-31", ""},
		{"31-03-2027", "", "2027-03-31", ""},
		{"March 31 2027", "", "2027-03-31", ""},
		{"March 31, 2027", "", "2027-03-31", ""},
		{"31 March 2027", "", "2027-03-31", ""},
		{"31st Mar 2027", "", "2027-03-31", ""},
		{"31-Mar-2027", "", "2027-03-31", ""},
		{"2 Jan 2027", "", "2027-01-02", ""},
		{"05/05/2027", "", "2027-05-05", ""},
		{"04/05/2027", "", "", "ambiguous"},
		{"04/05/2027", DateDMY, "2027-05-04", ""},
		{"04/05/2027", DateMDY, "2027-04-05", ""},
		// The order given never overrides what the numbers say.
		{"31/03/2027", DateMDY, "2027-03-31", ""},
		{"31/02/2027", "", "", "no such date"},
		{"29.02.2027", DateDMY, "", "no such date"},
		{"29.02.2028", DateDMY, "2028-02-29", ""},
		{"13/13/2027", "", "", "no such date"},
		{"February 30 2027", "", "", "no such date"},
		{"31/03/27", "", "", "not a date"},
		{"next Tuesday", "", "", "not a date"},
		{"2027-02-30", "", "", "no such date"},
		{"2101-01-01", "", "", "outside"},
		{"1999-12-31", "", "", "outside"},
	}
	for _, tc := range tests {
		got, err := readDate(tc.in, tc.order)
		if tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("%q (%s) → %q, %v; want %s", tc.in, tc.order, got, err, tc.want)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.problem, tc.err)) {
			t.Errorf("%q (%s) → %q, %v; want an error %q", tc.in, tc.order, got, err, tc.err)
		}
	}
}

// The help text lists what the reader accepts: each example reads as
// 31 March 2027.
func TestDateHelpMatchesTheReader(t *testing.T) {
	for _, ex := range DateExamples {
		if !strings.Contains(DateHelp, ex) {
			t.Errorf("the help does not show %q", ex)
		}
		if got, err := readDate(ex, ""); err != nil || got != "2027-03-31" {
			t.Errorf("%q → %q, %v", ex, got, err)
		}
	}
	if !strings.Contains(DateHelp, "--date-order") {
		t.Error("the help does not name --date-order")
	}
}

// The sheet's date check and the domain allow the same dates.
func TestSheetDateRangeIsTheDomains(t *testing.T) {
	lo, hi := DateSerialRange()
	first, last := time.Date(assess.MinYear, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(assess.MaxYear, 12, 31, 0, 0, 0, 0, time.UTC)
	if lo != serial(first) || hi != serial(last) {
		t.Fatalf("sheet range %v–%v, domain %s–%s", lo, hi, first, last)
	}
	if serial(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) != 46477 {
		t.Fatal("serial numbers are not Excel's")
	}
}

// FuzzReadDate: any text is a date in range, or a problem; never a panic.
// Where the numbers decide the order, the order given changes nothing.
func FuzzReadDate(f *testing.F) {
	for _, s := range []string{"31/03/2027", "03/31/2027", "31.03.2027", "March 31 2027", "04/05/2027", "2027-03-31", "31st Mar, 2027", "0/0/0", "99999999/1/1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, errD := readDate(s, DateDMY)
		m, errM := readDate(s, DateMDY)
		n, errN := readDate(s, "")
		for _, v := range []string{d, m, n} {
			if v == "" {
				continue
			}
			pd, err := assess.ParseDate(v)
			if err != nil || !assess.DateInRange(pd) {
				t.Fatalf("%q → %q", s, v)
			}
		}
		if errN == nil && (errD != nil || errM != nil || d != n || m != n) {
			t.Fatalf("%q: unambiguous %q, but dmy %q %v, mdy %q %v", s, n, d, errD, m, errM)
		}
	})
}
