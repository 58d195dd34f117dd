//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStart runs the isogap binary as a person would, one whole
// process at a time: "--version", and "list" on a database holding one
// demo assessment. It reports the median wall time of a process and its
// largest peak resident memory. scripts/bench-web prints them.
func BenchmarkStart(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "isogap")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "isogap.db")
	if out, err := exec.Command(bin, "--db", db, "init", "--org", "Start Ltd", "--scope", "Everything").CombinedOutput(); err != nil {
		b.Fatalf("isogap init: %v\n%s", err, out)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"version", []string{"--version"}},
		{"list", []string{"--db", db, "list"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var walls []time.Duration
			var peak int64
			for b.Loop() {
				cmd := exec.Command(bin, c.args...)
				cmd.Env = append(os.Environ(), "ISOGAP_DB=")
				t0 := time.Now()
				out, err := cmd.CombinedOutput()
				walls = append(walls, time.Since(t0))
				if err != nil {
					b.Fatalf("isogap %v: %v\n%s", c.args, err, out)
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peak = max(peak, ru.Maxrss) // KiB on Linux
				}
			}
			slices.Sort(walls)
			b.ReportMetric(float64(walls[len(walls)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(peak)/1024, "peak-MiB")
		})
	}
}
