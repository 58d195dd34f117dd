package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store/postgres"
	"github.com/isogap/isogap/internal/web"
)

// What a score change through the matrix's inline editor asks of
// PostgreSQL, counted on the wire between isogap and a real server: each
// statement is a round trip, and on two cores each costs both processes
// CPU. The counts are exact; a change that adds a statement to a save
// has to change them here, and say why.
func TestSaveRoundTrips(t *testing.T) {
	e := engines[1] // postgres; skipped without ISOGAP_TEST_POSTGRES
	dsn := e.fresh(t)
	pg := newPGCounter(t, dsn)
	st, err := postgres.Open(context.Background(), pg.dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// A clock that stands still: a session is then never touched nor
	// extended (a write of its own, once a minute) while the test runs.
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s := newSiteAt(t, st, web.Config{}, func() time.Time { return now })
	ctx := context.Background()
	a, err := s.svc.CreateAssessment(ctx, app.System("setup"), app.NewAssessment{Org: "Client A"})
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := s.user("root", true)
	assessor, ann := s.user("ann", false)
	if err := st.PutMembership(ctx, assess.Membership{AssessmentID: a.ID, UserID: ann.ID, Role: assess.RoleAssessor}); err != nil {
		t.Fatal(err)
	}
	v, _, err := s.svc.View(ctx, app.System("test"), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	items := v.Items[:4]
	save := func(c *client, i int) {
		t.Helper()
		it := &items[i%len(items)]
		score := int(it.Score)%5 + 1
		inline := &client{site: s, cookie: c.cookie, header: http.Header{"X-Isogap-Inline": {"1"}}}
		r := inline.post("/a/"+a.ID+"/matrix/"+it.Ref, form("version", itoa(int64(it.Version)), "return", "/a/"+a.ID+"/matrix",
			"score", itoa(int64(score)), "was_score", map[bool]string{true: itoa(int64(it.Score))}[it.Score.Assessed()],
			"owner", it.Owner, "was_owner", it.Owner))
		if r.status != http.StatusOK || !strings.Contains(r.body, `id="row-`+it.Ref+`"`) {
			t.Fatalf("save of %s: %d %s", it.Ref, r.status, excerpt(r.body))
		}
		it.Version++
		it.Score = assess.Score(score)
	}
	for _, tc := range []struct {
		who  string
		c    *client
		want []string // the statements of one save, in order
	}{
		// The session, then the transaction: the item read before the
		// lock, the lock (which reads the assessment's header and raises
		// its revision), the update with its history, the commit.
		{"administrator", admin, []string{"select from sessions", "begin", "select from items", "update assessments",
			"with u as (update items", "commit"}},
		// A member's role is read under the lock: one statement more.
		{"assessor", assessor, []string{"select from sessions", "begin", "select from items", "update assessments",
			"select from memberships", "with u as (update items", "commit"}},
	} {
		t.Run(tc.who, func(t *testing.T) {
			// Every statement prepared on the connections first: a
			// connection's first use of a statement costs one more trip.
			for i := range 2 * len(items) {
				save(tc.c, i)
			}
			const saves = 5
			pg.reset()
			for i := range saves {
				save(tc.c, i)
			}
			got := pg.statements()
			if len(got) != saves*len(tc.want) {
				t.Fatalf("%d saves sent %d statements, want %d each (%d):\n%s", saves, len(got), len(tc.want), saves*len(tc.want), strings.Join(got, "\n"))
			}
			for i, q := range got {
				if want := tc.want[i%len(tc.want)]; !statementIs(q, want) {
					t.Fatalf("statement %d of a save is not about %q:\n%s\n\nall:\n%s", i%len(tc.want), want, q, strings.Join(got, "\n"))
				}
			}
		})
	}
}

// statementIs reports whether a statement is the one named by what: a
// read of a table ("select from items"), or how the statement starts.
func statementIs(q, what string) bool {
	l := strings.ToLower(strings.Join(strings.Fields(q), " "))
	if table, ok := strings.CutPrefix(what, "select from "); ok {
		return strings.HasPrefix(l, "select ") && strings.Contains(l, " from "+table+" ")
	}
	return strings.HasPrefix(l, what)
}

// pgCounter is a TCP proxy in front of a PostgreSQL server that reads the
// client's half of the protocol and keeps the text of every statement
// executed: a simple query (other than the driver's ping), or an Execute
// of a statement prepared by a Parse.
type pgCounter struct {
	dsn string // the server's DSN, through the proxy

	mu   sync.Mutex
	sent []string
}

func newPGCounter(t *testing.T, dsn string) *pgCounter {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	server := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	u.Host = ln.Addr().String()
	c := &pgCounter{dsn: u.String()}
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			go c.relay(client, server)
		}
	}()
	return c
}

func (c *pgCounter) relay(client net.Conn, server string) {
	defer client.Close()
	up, err := net.Dial("tcp", server)
	if err != nil {
		return
	}
	defer up.Close()
	go func() {
		io.Copy(client, up)
		client.Close()
	}()
	in := bufio.NewReader(client)
	prepared := map[string]string{}
	var bound string
	// The startup message has no type byte (nor has a request for TLS
	// or GSS encryption before it); every message after it has one.
	for typed := false; ; {
		var typ byte
		if typed {
			if typ, err = in.ReadByte(); err != nil {
				return
			}
		}
		var n uint32
		if err := binary.Read(in, binary.BigEndian, &n); err != nil || n < 4 {
			return
		}
		body := make([]byte, n-4)
		if _, err := io.ReadFull(in, body); err != nil {
			return
		}
		if !typed {
			// 80877103 asks for TLS, 80877104 for GSS encryption: the
			// startup message follows.
			code := binary.BigEndian.Uint32(body)
			typed = code != 80877103 && code != 80877104
		}
		c.read(typ, body, prepared, &bound)
		msg := body
		if typ != 0 {
			msg = append(binary.BigEndian.AppendUint32([]byte{typ}, n), body...)
		} else {
			msg = append(binary.BigEndian.AppendUint32(nil, n), body...)
		}
		if _, err := up.Write(msg); err != nil {
			return
		}
	}
}

// read notes one message of the client's.
func (c *pgCounter) read(typ byte, body []byte, prepared map[string]string, bound *string) {
	cstring := func(b []byte) (string, []byte) {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return string(b), nil
		}
		return string(b[:i]), b[i+1:]
	}
	switch typ {
	case 'Q':
		q, _ := cstring(body)
		if q != "-- ping" {
			c.add(q)
		}
	case 'P': // Parse: statement name, query
		name, rest := cstring(body)
		q, _ := cstring(rest)
		prepared[name] = q
	case 'B': // Bind: portal, statement name
		_, rest := cstring(body)
		name, _ := cstring(rest)
		*bound = prepared[name]
	case 'E': // Execute the bound portal
		c.add(*bound)
	}
}

func (c *pgCounter) add(q string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, q)
}

func (c *pgCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = nil
}

func (c *pgCounter) statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.sent...)
}
