package report

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansitalic"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"github.com/rivo/uniseg"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// The PDF's text is drawn with the embedded Liberation Sans: Latin, Greek,
// Cyrillic, Hebrew and common symbols, but no emoji, CJK, Arabic or Indic
// scripts. The PDF library has no font fallback and fails (or panics) on
// characters beyond the Basic Multilingual Plane, so every string goes
// through glyphSet.text before the library sees it:
//
//   - text is put in Unicode normal form C, so a letter typed with a
//     combining accent becomes the accented letter the font has;
//   - invisible format characters (zero-width joiners, direction marks,
//     soft hyphens, variation selectors) and control characters are dropped,
//     every kind of space becomes a plain space and line breaks are kept only
//     where text may wrap;
//   - each user-perceived character (grapheme cluster: an emoji with its
//     skin tone or joined family, a flag, a syllable) whose base the font
//     cannot draw becomes one placeholder, "□"; combining marks the font
//     lacks are dropped from letters it has.
//
// The HTML, Markdown, XLSX and CSV outputs carry the text unchanged.
const placeholder = '□'

// glyphSet is the set of runes of the Basic Multilingual Plane that every
// style of the PDF's font can draw.
type glyphSet [0x10000 / 64]uint64

func (g *glyphSet) has(r rune) bool {
	return r >= 0 && r < 0x10000 && g[r/64]&(1<<(r%64)) != 0
}

// pdfGlyphs is parsed once from the embedded fonts.
var pdfGlyphs = sync.OnceValues(func() (*glyphSet, error) {
	return coverage(liberationsansregular.TTF, liberationsansbold.TTF, liberationsansitalic.TTF)
})

// coverage is the set of runes all the fonts have a glyph for.
func coverage(fonts ...[]byte) (*glyphSet, error) {
	g := new(glyphSet)
	for i := range g {
		g[i] = ^uint64(0)
	}
	var buf sfnt.Buffer
	for _, ttf := range fonts {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("PDF font: %w", err)
		}
		for r := rune(0); r < 0x10000; r++ {
			if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
				g[r/64] &^= 1 << (r % 64)
			}
		}
	}
	for _, r := range []rune{placeholder, '…', '•', '·', ' '} {
		if !g.has(r) {
			return nil, errors.New("PDF font lacks " + string(r))
		}
	}
	return g, nil
}

// ignorable reports a character that is dropped rather than shown: control
// and format characters and variation selectors, which draw nothing.
func ignorable(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}

// lineBreak reports a character that ends a line.
func lineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// text returns s as the PDF's font can draw it (see above). With multiline
// its line breaks are kept as "\n"; without, they become spaces.
func (g *glyphSet) text(s string, multiline bool) string {
	s = norm.NFC.String(strings.ToValidUTF8(s, string(utf8.RuneError)))
	var b strings.Builder
	b.Grow(len(s))
	state := -1
	for s != "" {
		var cluster string
		cluster, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		g.cluster(&b, cluster, multiline)
	}
	return b.String()
}

// cluster writes one grapheme cluster: its base character (the first one
// not ignored) and the combining marks after it.
func (g *glyphSet) cluster(b *strings.Builder, cluster string, multiline bool) {
	if cluster == "\r\n" {
		cluster = "\n"
	}
	base := true
	for _, r := range cluster {
		switch {
		case lineBreak(r) && multiline:
			b.WriteByte('\n')
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case ignorable(r):
			continue
		case !g.has(r):
			if base {
				b.WriteRune(placeholder)
				return // it stands for the whole cluster
			}
		default:
			b.WriteRune(r)
		}
		base = false
	}
}
