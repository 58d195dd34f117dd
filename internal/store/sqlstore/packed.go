package sqlstore

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/isogap/isogap/internal/store"
)

// summaryFormat opens every packed summary. A kept value of another
// format, or one that does not unpack, counts as no summary: the next list
// computes it again and keeps it in this format. Format 1 held the scope
// too, which was most of its bytes and is shown on no list but one page.
const summaryFormat = 2

// packSummary packs what a list shows of an assessment into one value.
// Listing 10,000 assessments is dominated by the SQLite driver's cost per
// column (more than unpacking a whole summary here), so a row is the
// assessment's id and revision and the summary's revision and value: four
// columns, not twenty. The scope is left out: it is most of a header's
// bytes, and only the portfolio page shows it, a page at a time (Scopes).
func packSummary(sm store.Summary) []byte {
	a, f := sm.Assessment, sm.Overall
	strs := [...]string{a.Org, a.Lead, a.CatalogID, a.CatalogVersion}
	n := 1 + 9*binary.MaxVarintLen64 + 8 + 8 + 1
	for _, s := range strs {
		n += binary.MaxVarintLen64 + len(s)
	}
	b := make([]byte, 0, n)
	b = append(b, summaryFormat)
	for _, s := range strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, v := range [...]int64{micros(a.CreatedAt), micros(a.UpdatedAt), int64(a.TargetScore), int64(a.Version),
		int64(f.Applicable), int64(f.Assessed), int64(f.AtTarget), int64(f.NotApplicable), int64(sm.Blockers)} {
		b = binary.AppendVarint(b, v)
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f.Readiness))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f.Coverage))
	if sm.AuditReady {
		return append(b, 1)
	}
	return append(b, 0)
}

// unpackSummary reads a value packSummary wrote into l's header (without
// its scope) and figures. The texts are cut from v, not copied: a row is one allocation.
func unpackSummary(v string, l *store.Listing) error {
	u := unpacker{s: v}
	if format := u.byte(); u.err == nil && format != summaryFormat {
		return fmt.Errorf("packed summary: format %d, want %d", format, summaryFormat)
	}
	a, f := &l.Assessment, &l.Overall
	a.Org, a.Lead, a.CatalogID, a.CatalogVersion = u.str(), u.str(), u.str(), u.str()
	a.CreatedAt, a.UpdatedAt = fromMicros(u.varint()), fromMicros(u.varint())
	a.TargetScore, a.Version = u.int(), u.int()
	f.Applicable, f.Assessed, f.AtTarget, f.NotApplicable, l.Blockers = u.int(), u.int(), u.int(), u.int(), u.int()
	f.Readiness, f.Coverage = math.Float64frombits(u.uint64()), math.Float64frombits(u.uint64())
	switch u.byte() {
	case 0:
		l.AuditReady = false
	case 1:
		l.AuditReady = true
	default:
		u.fail("audit-ready is neither 0 nor 1")
	}
	if u.err == nil && u.at != len(v) {
		u.fail(fmt.Sprintf("%d bytes after the end", len(v)-u.at))
	}
	return u.err
}

// unpacker reads a packed value; the first error sticks, and says at
// which byte.
type unpacker struct {
	s   string
	at  int
	err error
}

func (u *unpacker) fail(what string) {
	if u.err == nil {
		u.err = fmt.Errorf("packed summary: byte %d of %d: %s", u.at, len(u.s), what)
	}
}

func (u *unpacker) byte() byte {
	if u.err != nil || u.at >= len(u.s) {
		u.fail("ends early")
		return 0
	}
	u.at++
	return u.s[u.at-1]
}

func (u *unpacker) uvarint() uint64 {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		c := u.byte()
		if u.err != nil {
			return 0
		}
		if shift == 63 && c > 1 {
			break
		}
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
	u.fail("a number overflows 64 bits")
	return 0
}

func (u *unpacker) varint() int64 {
	x := u.uvarint()
	return int64(x>>1) ^ -int64(x&1)
}

func (u *unpacker) int() int {
	v := u.varint()
	if v != int64(int(v)) {
		u.fail("a count out of range")
	}
	return int(v)
}

func (u *unpacker) str() string {
	n := u.uvarint()
	if u.err != nil {
		return ""
	}
	if n > uint64(len(u.s)-u.at) {
		u.fail(fmt.Sprintf("a text of %d bytes, %d left", n, len(u.s)-u.at))
		return ""
	}
	u.at += int(n)
	return u.s[u.at-int(n) : u.at]
}

func (u *unpacker) uint64() uint64 {
	if u.err == nil && len(u.s)-u.at < 8 {
		u.fail("ends early")
	}
	if u.err != nil {
		return 0
	}
	u.at += 8
	return binary.LittleEndian.Uint64([]byte(u.s[u.at-8 : u.at]))
}
