package web

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/isogap/isogap/internal/assess"
)

// The matrix's row is written in Go, not executed from a template: the
// page has 123 rows, and the inline editor's save answers with one. A
// template evaluates each of the row's forty actions through reflection
// and an escaping function (about 270 allocations a row, a third of a
// save's CPU). The bytes are exactly those html/template wrote from the
// row's former template, escaping included (TestRowAsTemplate and
// FuzzRowAsTemplate compare the two).

// rowHTML is the template function that writes a row into the page.
func rowHTML(r matrixRow) template.HTML {
	return template.HTML(appendRow(make([]byte, 0, 2048), &r))
}

// writeRow answers with one row, as render answers with a page.
func writeRow(w http.ResponseWriter, status int, r *matrixRow) {
	b := appendRow(make([]byte, 0, 2048), r)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// appendRow appends the row's <tr> element, and a newline after it. It is
// written tight (no indentation), and its links and its form's action are
// relative to the matrix (/a/ID/matrix), where the row always stands.
func appendRow(b []byte, r *matrixRow) []byte {
	b = append(b, `<tr id="row-`...)
	b = appendText(b, r.Ref)
	b = append(b, '"')
	if r.Class != "" {
		b = append(b, ` class="`...)
		b = appendText(b, r.Class)
		b = append(b, '"')
	}
	b = append(b, ">\n<th scope=\"row\"><a href=\"items/"...)
	b = appendURLPart(b, r.Ref)
	b = append(b, `">`...)
	b = appendText(b, r.Ref)
	b = append(b, "</a></th>\n<td class=\"wide\"><a href=\"items/"...)
	b = appendURLPart(b, r.Ref)
	b = append(b, `" class="title">`...)
	b = appendText(b, r.Cat.Title)
	b = append(b, `</a>`...)
	if r.Question != "" {
		b = append(b, `<p class="question">`...)
		b = appendText(b, r.Question)
		b = append(b, `</p>`...)
	}
	if r.More != 0 {
		b = append(b, `<a href="items/`...)
		b = appendURLPart(b, r.Ref)
		b = append(b, `" class="more">`...)
		b = strconv.AppendInt(b, int64(r.More), 10)
		b = append(b, ` more question`...)
		if r.More > 1 {
			b = append(b, 's')
		}
		b = append(b, `, typical evidence</a>`...)
	}
	if r.Error != "" {
		b = append(b, `<p class="err" role="alert">`...)
		b = appendText(b, r.Error)
		b = append(b, `</p>`...)
	}
	b = append(b, "</td>\n<td>"...)
	b = appendText(b, r.Item.Department)
	b = append(b, "</td>\n"...)
	it := &r.Item
	if !r.Edit {
		b = append(b, `<td>`...)
		b = appendScore(b, it.Score)
		b = append(b, `</td><td>`...)
		b = appendText(b, it.Owner)
		b = append(b, `</td><td>`...)
		b = appendText(b, string(it.Priority))
		b = append(b, `</td><td>`...)
		b = appendText(b, it.TargetDate.String())
		b = append(b, "</td>\n<td class=\"st\">"...)
		b = appendStatus(b, r)
		return append(b, "</td>\n</tr>\n"...)
	}
	target := it.TargetDate.String()
	b = append(b, `<td><select id="score-`...)
	b = appendText(b, r.Ref)
	b = append(b, `" name="score" form="`...)
	b = appendText(b, r.Form)
	b = append(b, `" class="scoresel" aria-label="Score of `...)
	b = appendText(b, r.Ref)
	b = append(b, `">`...)
	b = append(b, r.ScoreOptions...)
	b = append(b, "</select></td>\n<td><input id=\"owner-"...)
	b = appendText(b, r.Ref)
	b = append(b, `" name="owner" form="`...)
	b = appendText(b, r.Form)
	b = append(b, `" value="`...)
	b = appendText(b, it.Owner)
	b = append(b, `" list="people" size="12" aria-label="Owner of `...)
	b = appendText(b, r.Ref)
	b = append(b, "\"></td>\n<td><select id=\"priority-"...)
	b = appendText(b, r.Ref)
	b = append(b, `" name="priority" form="`...)
	b = appendText(b, r.Form)
	b = append(b, `" aria-label="Priority of `...)
	b = appendText(b, r.Ref)
	b = append(b, `">`...)
	b = append(b, r.PriorityOptions...)
	b = append(b, "</select></td>\n<td><input id=\"target-"...)
	b = appendText(b, r.Ref)
	b = append(b, `" name="target_date" type="date" form="`...)
	b = appendText(b, r.Form)
	b = append(b, `" value="`...)
	b = appendText(b, target)
	b = append(b, `" aria-label="Target date of `...)
	b = appendText(b, r.Ref)
	b = append(b, "\"></td>\n<td class=\"st\">"...)
	b = appendStatus(b, r)
	b = append(b, `<form id="`...)
	b = appendText(b, r.Form)
	b = append(b, `" method="post" action="matrix/`...)
	b = appendURLPart(b, r.Ref)
	b = append(b, "\" data-inline>\n<input type=\"hidden\" name=\"version\" value=\""...)
	b = strconv.AppendInt(b, int64(it.Version), 10)
	b = append(b, `"><input type="hidden" name="return" value="`...)
	b = appendText(b, r.Return)
	b = append(b, "\">\n<input type=\"hidden\" name=\"was_score\" value=\""...)
	b = appendText(b, r.WasScore)
	b = append(b, `"><input type="hidden" name="was_owner" value="`...)
	b = appendText(b, it.Owner)
	b = append(b, "\">\n<input type=\"hidden\" name=\"was_priority\" value=\""...)
	b = appendText(b, string(it.Priority))
	b = append(b, `"><input type="hidden" name="was_target_date" value="`...)
	b = appendText(b, target)
	b = append(b, "\">\n<button class=\"small\" aria-label=\"Save "...)
	b = appendText(b, r.Ref)
	return append(b, "\">Save</button></form></td>\n</tr>\n"...)
}

// appendScore is the layout's "score" template.
func appendScore(b []byte, s assess.Score) []byte {
	b = append(b, `<span class="score s`...)
	b = strconv.AppendInt(b, int64(s), 10)
	b = append(b, `" title="`...)
	b = appendText(b, s.Label())
	b = append(b, `">`...)
	if s.Assessed() {
		b = strconv.AppendInt(b, int64(s), 10)
	} else {
		b = append(b, "–"...)
	}
	return append(b, `</span>`...)
}

// appendStatus is the layout's "status" template for a row.
func appendStatus(b []byte, r *matrixRow) []byte {
	if !r.Status.Applicable {
		return append(b, `<span class="tag">Not applicable</span>`...)
	}
	b = append(b, `<span class="stat s`...)
	b = strconv.AppendInt(b, int64(r.Status.Effective), 10)
	b = append(b, `">`...)
	b = appendText(b, r.Status.Status)
	b = append(b, `</span>`...)
	if r.Status.Unevidenced5 {
		b = append(b, ` <span class="tag warn" title="A 5 without evidence counts as 4">no evidence</span>`...)
	}
	if r.Overdue {
		b = append(b, ` <span class="tag bad">overdue</span>`...)
	}
	return b
}

// htmlEscapes is html/template's table for text and quoted attribute
// values: NUL becomes U+FFFD, and the five characters below, and "+",
// become references. Every other byte (UTF-8 or not) stays.
var htmlEscapes = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// appendText appends s escaped for HTML text or a quoted attribute value,
// as html/template escapes a string there.
func appendText(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if int(c) >= len(htmlEscapes) || htmlEscapes[c] == "" {
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, htmlEscapes[c]...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// appendURLPart appends s as html/template writes a value into the path
// of a URL attribute after a literal prefix ("items/{{.Ref}}"): it
// normalizes the URL (percent-encoding, in lower case hex, every byte but
// the unreserved and reserved characters and a valid escape) and then
// escapes the result for the attribute ("&" and "+").
func appendURLPart(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b = append(b, c)
		case c == '-' || c == '.' || c == '_' || c == '~',
			c == '!' || c == '#' || c == '$' || c == '*' || c == ',' || c == '/' || c == ':' || c == ';',
			c == '=' || c == '?' || c == '@' || c == '[' || c == ']':
			b = append(b, c)
		case c == '&':
			b = append(b, "&amp;"...)
		case c == '+':
			b = append(b, "&#43;"...)
		case c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			b = append(b, c)
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
