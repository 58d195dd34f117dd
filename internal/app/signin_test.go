package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// onEachEngineAt is onEachEngine with a clock the test moves.
func onEachEngineAt(t *testing.T, test func(t *testing.T, svc *app.Service, advance func(time.Duration))) {
	for name, open := range map[string]func(t *testing.T) store.Store{
		"sqlite":   func(t *testing.T) store.Store { st, _ := sqliteStore(t); return st },
		"postgres": postgresStore,
	} {
		t.Run(name, func(t *testing.T) {
			now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
			svc := app.New(open(t), app.Config{Clock: func() time.Time { return now }})
			test(t, svc, func(d time.Duration) { now = now.Add(d) })
		})
	}
}

// attempt signs in and returns the error's kind (ok when let in) and the
// wait a refusal asks for.
func attempt(t *testing.T, svc *app.Service, login, pw, addr string) (assess.Kind, time.Duration) {
	t.Helper()
	_, err := svc.Authenticate(context.Background(), login, pw, addr)
	if err == nil {
		return ok, 0
	}
	k := assess.KindOf(err)
	if k != assess.KindUnauthenticated && k != assess.KindRateLimited {
		t.Fatal(err)
	}
	d, _ := app.RetryAfter(err)
	return k, d
}

// Someone guessing from one address locks only themselves out: the owner
// still signs in from elsewhere.
func TestGuessingDoesNotLockTheOwnerOut(t *testing.T) {
	onEachEngineAt(t, func(t *testing.T, svc *app.Service, advance func(time.Duration)) {
		person(t, svc, "dana", false)
		const attacker, owner = "198.51.100.7", "192.0.2.10"
		for i := range 50 {
			k, _ := attempt(t, svc, "dana", fmt.Sprintf("guess %d", i), attacker)
			if want := map[bool]assess.Kind{true: assess.KindRateLimited, false: assess.KindUnauthenticated}[i >= app.MaxFailuresPair]; k != want {
				t.Fatalf("guess %d: %s, want %s", i, k, want)
			}
		}
		if k, _ := attempt(t, svc, "dana", password, owner); k != ok {
			t.Errorf("the owner from another address after 50 guesses: %s, want let in", k)
		}
		k, wait := attempt(t, svc, "dana", password, attacker)
		if k != assess.KindRateLimited || wait <= 0 {
			t.Errorf("the guessing address with the right password: %s (retry after %s), want refused for a while", k, wait)
		}
		advance(app.LoginWindow + time.Second)
		if k, _ := attempt(t, svc, "dana", password, attacker); k != ok {
			t.Errorf("the guessing address once the window passed: %s, want let in", k)
		}
	})
}

// Guesses for one account from many addresses slow each guessing address
// down more and more, up to a cap, without locking anyone.
func TestSignInDelaysGrowAndAreCapped(t *testing.T) {
	onEachEngineAt(t, func(t *testing.T, svc *app.Service, advance func(time.Duration)) {
		person(t, svc, "dana", false)
		var last time.Duration
		for i := range 14 {
			addr := fmt.Sprintf("203.0.113.%d", i)
			if k, _ := attempt(t, svc, "dana", "a guess", addr); k != assess.KindUnauthenticated {
				t.Fatalf("guess from a fresh address %d: %s, want checked", i, k)
			}
			if i+1 < app.FreeFailuresAccount {
				continue
			}
			k, wait := attempt(t, svc, "dana", "another guess", addr)
			if k != assess.KindRateLimited || wait <= last && wait != app.MaxLoginDelay || wait > app.MaxLoginDelay {
				t.Fatalf("after %d failures: %s, retry after %s (the one before: %s)", i+1, k, wait, last)
			}
			last = wait
			advance(wait)
			if i == 13 {
				// A delay, not a lock: once it passed the right password works.
				if k, _ := attempt(t, svc, "dana", password, addr); k != ok {
					t.Errorf("after waiting %s: %s, want let in", wait, k)
				}
			}
		}
		if last != app.MaxLoginDelay {
			t.Errorf("the delay after 14 failures is %s, want the cap %s", last, app.MaxLoginDelay)
		}
		if got := app.LoginDelay(app.FreeFailuresAccount + 1); got != 2*app.LoginDelay(app.FreeFailuresAccount) {
			t.Errorf("delays do not grow: %s after %s", got, app.LoginDelay(app.FreeFailuresAccount))
		}
		if app.LoginDelay(1000) != app.MaxLoginDelay {
			t.Errorf("no cap: %s", app.LoginDelay(1000))
		}
	})
}
