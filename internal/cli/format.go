package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// pct formats a 0..1 fraction as a percentage with one decimal.
func pct(f float64) string { return fmt.Sprintf("%5.1f %%", f*100) }

// bar draws a fraction as a bar of width cells.
func bar(f float64, width int) string {
	n := int(f*float64(width) + 0.5)
	n = max(0, min(width, n))
	return strings.Repeat("█", n) + strings.Repeat("░", width-n)
}

// fit pads or cuts s to exactly w runes.
func fit(s string, w int) string {
	if utf8.RuneCountInString(s) > w {
		r := []rune(s)
		return string(r[:w-1]) + "…"
	}
	return s + strings.Repeat(" ", w-utf8.RuneCountInString(s))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// checkFormat refuses an unknown --format value.
func checkFormat(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return usagef("--format %q: want one of %s", got, strings.Join(allowed, ", "))
}
