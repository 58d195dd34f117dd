//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkStart runs the isogap binary as a person would, one whole
// process at a time: "--version", and "list" on a database holding one
// demo assessment. It reports the median wall time of a process and its
// largest peak resident memory. scripts/bench-web prints them.
//
// "floor" is the bound: a program that imports every package of other
// modules that isogap links, for their initialisation, and does nothing.
// What isogap takes beyond it is its own.
//
// Each process is started by a small launcher, which times it and reads its
// peak memory: Linux counts in a child's peak the memory of the process
// that started it (os/exec starts children with vfork), and this test
// binary holds more than isogap itself. The launcher's own (a few MiB) is
// the least a measurement can show.
func BenchmarkStart(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "isogap")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	floor := buildFloor(b, filepath.Join(dir, "floor"))
	launch := buildProgram(b, filepath.Join(dir, "launch"), map[string]string{"go.mod": "module launch\n\ngo 1.26\n", "main.go": launcher})
	db := filepath.Join(dir, "isogap.db")
	if out, err := exec.Command(bin, "--db", db, "init", "--org", "Start Ltd", "--scope", "Everything").CombinedOutput(); err != nil {
		b.Fatalf("isogap init: %v\n%s", err, out)
	}
	for _, c := range []struct {
		name string
		argv []string
	}{
		{"floor", []string{floor}},
		{"version", []string{bin, "--version"}},
		{"list", []string{bin, "--db", db, "list"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var walls []float64
			var peak float64
			for b.Loop() {
				cmd := exec.Command(launch, c.argv...)
				cmd.Env = append(os.Environ(), "ISOGAP_DB=")
				var stderr strings.Builder
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				var wall, kib float64
				if err == nil {
					_, err = fmt.Sscan(string(out), &wall, &kib)
				}
				if err != nil {
					b.Fatalf("%v: %v\n%s", c.argv, err, stderr.String())
				}
				walls = append(walls, wall)
				peak = max(peak, kib)
			}
			slices.Sort(walls)
			b.ReportMetric(walls[len(walls)/2], "median-ms")
			b.ReportMetric(peak/1024, "peak-MiB")
		})
	}
}

// launcher runs the command line of its arguments once, its output to
// standard error, and prints its wall time in ms and its peak resident
// memory in KiB.
const launcher = `package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(float64(wall.Microseconds())/1000, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
}
`

// buildFloor builds, in dir, a program that imports every package of
// another module that the isogap binary links and does nothing, with the
// same versions (a copy of go.mod and go.sum), and returns its path.
func buildFloor(b *testing.B, dir string) string {
	b.Helper()
	run := func(name string, args ...string) string {
		out, err := exec.Command(name, args...).Output()
		if err != nil {
			b.Fatalf("%s %v: %v", name, args, err)
		}
		return strings.TrimSpace(string(out))
	}
	mod, gomod := run("go", "list", "-m"), run("go", "env", "GOMOD")
	var imports []string
	for _, p := range strings.Fields(run("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")) {
		// Another module's internal packages cannot be imported; the
		// packages that import them bring them in.
		if strings.HasPrefix(p, mod+"/") || p == mod || strings.HasSuffix(p, "/internal") || strings.Contains(p, "/internal/") {
			continue
		}
		imports = append(imports, "\t_ "+strconv.Quote(p)+"\n")
	}
	if len(imports) == 0 {
		b.Fatal("the isogap binary links no package of another module")
	}
	modText, err := os.ReadFile(gomod)
	if err != nil {
		b.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(filepath.Dir(gomod), "go.sum"))
	if err != nil {
		b.Fatal(err)
	}
	return buildProgram(b, dir, map[string]string{
		"go.mod":  strings.Replace(string(modText), "module "+mod+"\n", "module floor\n", 1),
		"go.sum":  string(sum),
		"main.go": "package main\n\nimport (\n" + strings.Join(imports, "") + ")\n\nfunc main() {}\n",
	})
}

// buildProgram writes files into dir, builds the program there and returns
// its path.
func buildProgram(b *testing.B, dir string, files map[string]string) string {
	b.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	bin := filepath.Join(dir, filepath.Base(dir))
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", dir, err, out)
	}
	return bin
}
