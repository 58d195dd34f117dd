package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/store"
)

// Sizes of the evidence the memory tests attach: together far more than
// the bound the tests allow, each file well under it.
const (
	streamFiles    = 12
	streamFileSize = 6 << 20
	// streamBound is what an export or a copy may add to the heap: a few
	// files' worth (the one being read, its base64, garbage not yet
	// collected), under the 72 MiB the files add up to.
	streamBound = 64 << 20
)

// bigEvidence creates an assessment with streamFiles random files.
func bigEvidence(t *testing.T, svc *app.Service) string {
	t.Helper()
	ctx := context.Background()
	a, err := svc.CreateAssessment(ctx, app.System("test"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range streamFiles {
		content := make([]byte, streamFileSize)
		rand.Read(content)
		if _, err := svc.AddEvidence(ctx, app.System("ann"), a.ID, "A.8.13", app.NewEvidence{
			FileName: fmt.Sprintf("backup-%02d.bin", i), ContentType: "application/octet-stream", Content: content}); err != nil {
			t.Fatal(err)
		}
	}
	return a.ID
}

// heapPeak samples the heap in use while it runs, with the collector made
// eager so that what is measured is what is held, not garbage.
type heapPeak struct {
	base, peak uint64
	mu         sync.Mutex
	stop       chan struct{}
	done       sync.WaitGroup
}

func startHeapPeak(t *testing.T) *heapPeak {
	old := debug.SetGCPercent(10)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h := &heapPeak{base: ms.HeapInuse, peak: ms.HeapInuse, stop: make(chan struct{})}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		for {
			select {
			case <-h.stop:
				return
			case <-time.After(2 * time.Millisecond):
				h.sample()
			}
		}
	}()
	return h
}

func (h *heapPeak) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.mu.Lock()
	h.peak = max(h.peak, ms.HeapInuse)
	h.mu.Unlock()
}

// grown stops sampling and returns how far the heap grew above the start.
func (h *heapPeak) grown() uint64 {
	close(h.stop)
	h.done.Wait()
	h.sample()
	return h.peak - h.base
}

// sampling is a writer that samples the heap on every write, so the peak
// of a streamed export is seen whatever the timer does.
type sampling struct {
	h *heapPeak
	w io.Writer
	n int64
}

func (s *sampling) Write(b []byte) (int, error) {
	s.h.sample()
	s.n += int64(len(b))
	return s.w.Write(b)
}

func TestJSONExportStreamsEvidence(t *testing.T) {
	ctx := context.Background()
	st, _ := sqliteStore(t)
	svc := app.New(st, app.Config{})
	aid := bigEvidence(t, svc)
	var json app.Format
	for _, f := range app.DefaultFormats() {
		if f.Name == "json" {
			json = f
		}
	}

	// The export goes to a file, as a download or "isogap export" would
	// write it: the heap holds the assessment and a file or two at a time.
	var spool bytes.Buffer
	spool.Grow(streamFiles * streamFileSize * 14 / 10)
	h := startHeapPeak(t)
	out := &sampling{h: h, w: &spool}
	if err := svc.Export(ctx, app.System("test"), aid, json, out); err != nil {
		t.Fatal(err)
	}
	grown := h.grown()
	t.Logf("export of %d MiB of evidence: %d MiB written, heap grew by %.1f MiB", streamFiles*streamFileSize>>20, out.n>>20, float64(grown)/(1<<20))
	if grown > streamBound {
		t.Errorf("the export held %.1f MiB at its peak, more than %d MiB: evidence files must be streamed one at a time", float64(grown)/(1<<20), streamBound>>20)
	}

	// What was streamed is a whole, valid export: it imports, files and all.
	st2, _ := sqliteStore(t)
	svc2 := app.New(st2, app.Config{})
	got, err := svc2.ImportJSON(ctx, app.System("test"), &spool, app.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameEvidence(t, svc, svc2, aid, got.ID)
}

func TestCopyStreamsEvidence(t *testing.T) {
	ctx := context.Background()
	from, _ := sqliteStore(t)
	svc := app.New(from, app.Config{})
	aid := bigEvidence(t, svc)
	for _, engine := range []struct {
		name string
		open func(*testing.T) store.Store
	}{
		{"sqlite", func(t *testing.T) store.Store { st, _ := sqliteStore(t); return st }},
		{"postgres", postgresStore},
	} {
		t.Run(engine.name, func(t *testing.T) {
			to := app.New(engine.open(t), app.Config{})
			h := startHeapPeak(t)
			rep, err := svc.CopyTo(ctx, app.System("test"), to, nil)
			grown := h.grown()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("copy of %d MiB of evidence: heap grew by %.1f MiB", streamFiles*streamFileSize>>20, float64(grown)/(1<<20))
			if rep.Evidence != streamFiles {
				t.Errorf("copied %d evidence entries, want %d", rep.Evidence, streamFiles)
			}
			if grown > streamBound {
				t.Errorf("the copy held %.1f MiB at its peak, more than %d MiB: evidence files must be copied one at a time", float64(grown)/(1<<20), streamBound>>20)
			}
			sameEvidence(t, svc, to, aid, aid)
		})
	}
}

// sameEvidence compares every evidence file of two assessments, byte for byte.
func sameEvidence(t *testing.T, a, b *app.Service, aidA, aidB string) {
	t.Helper()
	ctx := context.Background()
	ia, err := a.Item(ctx, app.System("test"), aidA, "A.8.13")
	if err != nil {
		t.Fatal(err)
	}
	ib, err := b.Item(ctx, app.System("test"), aidB, "A.8.13")
	if err != nil {
		t.Fatal(err)
	}
	if len(ia.Evidence) != len(ib.Evidence) {
		t.Fatalf("%d evidence entries, want %d", len(ib.Evidence), len(ia.Evidence))
	}
	for i := range ia.Evidence {
		_, ca, err := a.EvidenceFile(ctx, app.System("test"), aidA, ia.Evidence[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		_, cb, err := b.EvidenceFile(ctx, app.System("test"), aidB, ib.Evidence[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ca, cb) {
			t.Errorf("evidence %d (%s) differs after the round trip", i, ia.Evidence[i].FileName)
		}
	}
}
