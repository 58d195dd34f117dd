package sqlstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

func packedSamples() []store.Summary {
	at := time.Date(2027, 3, 4, 5, 6, 7, 123456000, time.UTC)
	return []store.Summary{
		{},
		{Assessment: assess.Assessment{Org: "Zürich Øresund Ærø GmbH", Scope: strings.Repeat("The platform, its people and its offices. ", 20),
			Lead: "Åsa Öberg", CatalogID: "iso27001", CatalogVersion: "2022+A1:2024", CreatedAt: at, UpdatedAt: at.Add(time.Hour),
			TargetScore: 4, Version: 1 << 40}, Revision: 7, Headline: assess.Headline{
			Overall:    assess.Figures{Applicable: 120, Assessed: 7, AtTarget: 3, NotApplicable: 3, Readiness: 1.0 / 3, Coverage: 7.0 / 120},
			AuditReady: true, Blockers: 117}},
		{Assessment: assess.Assessment{Org: "x", CreatedAt: time.UnixMicro(-1).UTC(), TargetScore: -1, Version: math.MaxInt64},
			Headline: assess.Headline{Overall: assess.Figures{Applicable: math.MinInt64, Readiness: math.Inf(-1), Coverage: math.SmallestNonzeroFloat64}}},
	}
}

// listed is what a list shows of a listing, to compare two.
func listed(l store.Listing) string {
	a := l.Assessment
	return fmt.Sprintf("%q %q %q %q %q %s %s %d %d %+v %v %d", a.Org, a.Scope, a.Lead, a.CatalogID, a.CatalogVersion,
		a.CreatedAt.Format(time.RFC3339Nano), a.UpdatedAt.Format(time.RFC3339Nano), a.TargetScore, a.Version, l.Overall, l.AuditReady, l.Blockers)
}

// TestPackedSummary: a packed summary unpacks to what was packed, texts and
// figures exactly, except the scope, which is not packed at all; any value
// cut short, lengthened, or of another format is refused, saying at which
// byte.
func TestPackedSummary(t *testing.T) {
	for i, sm := range packedSamples() {
		v := packSummary(sm)
		var got store.Listing
		if err := unpackSummary(string(v), &got); err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		unscoped := sm.Assessment
		unscoped.Scope = ""
		if want := listed(store.Listing{Assessment: unscoped, Headline: sm.Headline}); listed(got) != want {
			t.Errorf("sample %d:\n got %s\nwant %s", i, listed(got), want)
		}
		if w := packSummary(store.Summary{Assessment: unscoped, Revision: sm.Revision, Headline: sm.Headline}); string(w) != string(v) {
			t.Errorf("sample %d: packed with its scope (%d bytes), without (%d bytes) differ", i, len(v), len(w))
		}
		for n := range len(v) {
			if err := unpackSummary(string(v[:n]), &store.Listing{}); err == nil || !strings.Contains(err.Error(), "byte") {
				t.Errorf("sample %d cut to %d bytes: %v", i, n, err)
			}
		}
		if err := unpackSummary(string(v)+"\x00", &store.Listing{}); err == nil || !strings.Contains(err.Error(), "1 bytes after the end") {
			t.Errorf("sample %d with a byte more: %v", i, err)
		}
		other := append([]byte{summaryFormat + 1}, v[1:]...)
		if err := unpackSummary(string(other), &store.Listing{}); err == nil || !strings.Contains(err.Error(), "format") {
			t.Errorf("sample %d in another format: %v", i, err)
		}
	}
}

// TestPackedSummaryOfFormat1: a value kept in format 1, which held the
// scope after the organisation, is refused, so the next list computes it
// again and keeps it without the scope.
func TestPackedSummaryOfFormat1(t *testing.T) {
	sm := packedSamples()[1]
	v := packSummary(sm)
	n := len(binary.AppendUvarint(nil, uint64(len(sm.Assessment.Org)))) + len(sm.Assessment.Org)
	old := append([]byte{1}, v[1:1+n]...)
	old = binary.AppendUvarint(old, uint64(len(sm.Assessment.Scope)))
	old = append(append(old, sm.Assessment.Scope...), v[1+n:]...)
	if err := unpackSummary(string(old), &store.Listing{}); err == nil || !strings.Contains(err.Error(), "format 1") {
		t.Errorf("a value of format 1: %v", err)
	}
}

// FuzzUnpackSummary: no value makes unpacking panic, and whatever unpacks
// packs again to a value that unpacks the same.
func FuzzUnpackSummary(f *testing.F) {
	for _, sm := range packedSamples() {
		f.Add(packSummary(sm))
	}
	f.Add([]byte{summaryFormat, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, v []byte) {
		var l store.Listing
		if err := unpackSummary(string(v), &l); err != nil {
			return
		}
		var again store.Listing
		if err := unpackSummary(string(packSummary(store.Summary{Assessment: l.Assessment, Headline: l.Headline})), &again); err != nil {
			t.Fatalf("repacked: %v", err)
		}
		if listed(again) != listed(l) {
			t.Fatalf("repacked:\n got %s\nwant %s", listed(again), listed(l))
		}
	})
}
