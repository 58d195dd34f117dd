package report

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// A Doc's strings are plain text, much of it typed by contributors, so the
// Markdown writer escapes every one of them: a reader's renderer must show
// the text and never run it as HTML or follow it as a link it did not mean.
//
//   - "<", ">" and "&" become entities, so no HTML tag, comment or autolink
//     can start;
//   - the characters that make emphasis, code, links, images, headings,
//     tables, strikethrough and math (\ ` * _ [ ] ( ) # | ~ $) get a
//     backslash, and so does a "-", "+" or "=" or a number's "." at the
//     start of a line (lists, setext headings, thematic breaks);
//   - control characters are dropped; inline text (headings, list items,
//     table cells, link text) is one line with its white space collapsed;
//   - only http and https URLs become links, written as autolinks.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`,
	"#", `\#`, "|", `\|`, "~", `\~`, "$", `\$`,
	"&", "&amp;", "<", "&lt;", ">", "&gt;")

// mdURL finds what may be a web address, in angle brackets or not. It stops
// at white space, control characters, quotes, backticks, backslashes and
// pipes, which an autolink cannot hold or a table would split on.
var mdURL = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("(?i)<?\\bhttps?://[^\\s\\x00-\\x1f\\x7f<>\"`|\\\\]+>?")
})

// mdOrderedList is a line start that would begin an ordered list.
var mdOrderedList = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,9}\.( |$)`) })

// mdInline is plain text as Markdown inline content on one line.
func mdInline(s string) string {
	return mdLine(strings.Join(strings.Fields(mdClean(s)), " "))
}

// mdParagraphs is plain text as Markdown paragraphs: a blank line starts a
// new paragraph, another line break stays one (a hard break).
func mdParagraphs(s string) string {
	var paras []string
	var lines []string
	flush := func() {
		if len(lines) > 0 {
			paras = append(paras, strings.Join(lines, "\\\n"))
			lines = nil
		}
	}
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n\n").Replace(s)
	for _, l := range strings.Split(s, "\n") {
		l = strings.Join(strings.Fields(mdClean(l)), " ")
		if l == "" {
			flush()
			continue
		}
		lines = append(lines, mdLine(l))
	}
	flush()
	return strings.Join(paras, "\n\n")
}

// mdClean drops control characters other than white space.
func mdClean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// mdLine escapes one line of text, its web addresses made links.
func mdLine(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range mdURL().FindAllStringIndex(s, -1) {
		link, rest, ok := mdLink(s[m[0]:m[1]])
		if !ok {
			continue
		}
		b.WriteString(mdEscaper.Replace(s[last:m[0]]))
		b.WriteString("<" + link + ">")
		last = m[1] - len(rest)
	}
	b.WriteString(mdEscaper.Replace(s[last:]))
	out := b.String()
	switch {
	case out == "":
	case strings.ContainsRune("-+=", rune(out[0])):
		out = `\` + out
	case mdOrderedList().MatchString(out):
		i := strings.IndexByte(out, '.')
		out = out[:i] + `\` + out[i:]
	}
	return out
}

// mdLink takes a matched address apart: the URL to link, and what follows
// it that is not part of it (trailing punctuation of the sentence). It
// reports false for anything that is not an absolute http(s) URL.
func mdLink(m string) (link, rest string, ok bool) {
	bracketed := strings.HasPrefix(m, "<")
	if bracketed {
		if !strings.HasSuffix(m, ">") {
			return "", "", false
		}
		link = m[1 : len(m)-1]
	} else {
		link = strings.TrimSuffix(m, ">")
		for link != "" {
			c := link[len(link)-1]
			if !strings.ContainsRune(".,;:!?'*_~", rune(c)) && !(c == ')' && strings.Count(link, "(") < strings.Count(link, ")")) {
				break
			}
			link = link[:len(link)-1]
		}
		rest = m[len(link):]
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", false
	}
	return link, rest, true
}
