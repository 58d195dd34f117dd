package workbook

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/isogap/isogap/internal/assess"
)

// DateOrder says how to read a date such as 04/05/2027, where both
// numbers could be the month: day first (dmy) or month first (mdy).
type DateOrder string

const (
	DateDMY DateOrder = "dmy"
	DateMDY DateOrder = "mdy"
)

// ParseDateOrder reads the --date-order value.
func ParseDateOrder(s string) (DateOrder, error) {
	switch o := DateOrder(strings.ToLower(strings.TrimSpace(s))); o {
	case "", DateDMY, DateMDY:
		return o, nil
	}
	return "", fmt.Errorf("unknown date order %q: want dmy (31/03/2027) or mdy (03/31/2027)", s)
}

// DateExamples are the ways of writing 31 March 2027 that a workbook's
// date cells may hold besides a date cell; DateHelp says so for people.
var DateExamples = []string{"2027-03-31", "31/03/2027", "03/31/2027", "31.03.2027", "31 Mar 2027", "March 31 2027"}

// DateHelp describes the dates the reader accepts.
var DateHelp = "Target dates may be date cells, Excel serial numbers, or text such as " + strings.Join(DateExamples, ", ") +
	". Day-first and month-first text is read where the numbers decide it (31/03 or 03/31); for dates such as 04/05/2027 say which with --date-order dmy or --date-order mdy. " +
	"Impossible dates (31/02/2027) and dates outside " + DateRangeText() + " are refused."

// excelEpoch is day 0 of Excel's serial numbers (1900 date system).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

func serial(t time.Time) float64 { return float64(t.Sub(excelEpoch) / (24 * time.Hour)) }

// DateSerialRange is the first and last date the domain allows, as the
// serial numbers a sheet's date check uses: one range for both.
func DateSerialRange() (float64, float64) {
	return serial(time.Date(assess.MinYear, 1, 1, 0, 0, 0, 0, time.UTC)), serial(time.Date(assess.MaxYear, 12, 31, 0, 0, 0, 0, time.UTC))
}

// DateRangeText says the range in words: "2000-01-01 to 2100-12-31".
func DateRangeText() string {
	return fmt.Sprintf("%d-01-01 to %d-12-31", assess.MinYear, assess.MaxYear)
}

// dateProblem says why a text is not a date, and what would be.
type dateProblem struct{ problem, expected string }

func (p *dateProblem) Error() string { return p.problem }

var dateExpected = "a date cell, YYYY-MM-DD, or text such as " + strings.Join(DateExamples[1:], ", ")

var monthNames = sync.OnceValue(func() map[string]time.Month {
	m := map[string]time.Month{}
	for mo := time.January; mo <= time.December; mo++ {
		n := strings.ToLower(mo.String())
		m[n], m[n[:3]] = mo, mo
	}
	m["sept"] = time.September
	return m
})

// readDate reads a date typed as text into YYYY-MM-DD.
func readDate(s string, order DateOrder) (string, *dateProblem) {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return "", &dateProblem{"not a date", dateExpected}
	}
	// A time of day after an ISO date (2027-03-31T00:00:00, "2027-03-31 00:00:00") is dropped.
	if len(s) > 10 && s[4] == '-' && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' || r == '-' || r == ',' || unicode.IsSpace(r) })
	if len(parts) != 3 {
		return "", &dateProblem{"not a date", dateExpected}
	}
	var nums []int
	var digits []int
	month := time.Month(0)
	for _, p := range parts {
		lp := strings.ToLower(p)
		if mo, ok := monthNames()[lp]; ok && month == 0 {
			month = mo
			continue
		}
		for _, suf := range []string{"st", "nd", "rd", "th"} {
			if len(lp) > 2 && strings.HasSuffix(lp, suf) && lp[0] >= '0' && lp[0] <= '9' {
				lp = strings.TrimSuffix(lp, suf)
				break
			}
		}
		n, err := strconv.Atoi(lp)
		if err != nil || n < 0 || len(lp) > 4 {
			return "", &dateProblem{"not a date", dateExpected}
		}
		nums, digits = append(nums, n), append(digits, len(lp))
	}
	var y, d int
	var m time.Month
	switch {
	case month != 0 && len(nums) == 2:
		// 31 March 2027, March 31 2027: the year has four digits.
		switch {
		case digits[1] == 4 && digits[0] <= 2:
			d, y = nums[0], nums[1]
		case digits[0] == 4 && digits[1] <= 2:
			y, d = nums[0], nums[1]
		default:
			return "", &dateProblem{"not a date (the year needs four digits)", dateExpected}
		}
		m = month
	case len(nums) == 3 && digits[0] == 4 && digits[1] <= 2 && digits[2] <= 2:
		y, m, d = nums[0], time.Month(nums[1]), nums[2]
	case len(nums) == 3 && digits[2] == 4 && digits[0] <= 2 && digits[1] <= 2:
		y = nums[2]
		a, b := nums[0], nums[1]
		switch {
		case a > 12 && b > 12, a == 0 || b == 0:
			return "", &dateProblem{"no such date", dateExpected}
		case a > 12:
			d, m = a, time.Month(b)
		case b > 12:
			m, d = time.Month(a), b
		case a == b || order == DateDMY:
			d, m = a, time.Month(b)
		case order == DateMDY:
			m, d = time.Month(a), b
		default:
			return "", &dateProblem{fmt.Sprintf("ambiguous date: %d %s %d or %d %s %d", a, time.Month(b), y, b, time.Month(a), y),
				"31/03/2027 or 03/31/2027 where the numbers tell, YYYY-MM-DD, or say the order with --date-order dmy or --date-order mdy"}
		}
	default:
		return "", &dateProblem{"not a date", dateExpected}
	}
	if m < 1 || m > 12 || d < 1 {
		return "", &dateProblem{"no such date", dateExpected}
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", &dateProblem{fmt.Sprintf("no such date: %s %d has %d days", m, y, time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()), dateExpected}
	}
	if y < assess.MinYear || y > assess.MaxYear {
		return "", &dateProblem{"outside the dates isogap and the sheet allow", "a date from " + DateRangeText()}
	}
	return t.Format("2006-01-02"), nil
}
