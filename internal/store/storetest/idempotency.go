package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

func testIdempotency(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	ann, err := st.CreateUser(ctx, assess.User{Login: "ann", Name: "Ann"}, "h", false)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := st.CreateUser(ctx, assess.User{Login: "bob", Name: "Bob"}, "h", false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	day := now.Add(-24 * time.Hour)
	rec := store.IdempotencyRecord{UserID: ann.ID, Key: "k1", RequestHash: "h1", CreatedAt: now}
	if _, claimed, err := st.ClaimIdempotencyKey(ctx, rec, day); err != nil || !claimed {
		t.Fatalf("first claim: %v %v", claimed, err)
	}
	// Claimed again before it is finished: the record under way.
	got, claimed, err := st.ClaimIdempotencyKey(ctx, store.IdempotencyRecord{UserID: ann.ID, Key: "k1", RequestHash: "h2", CreatedAt: now}, day)
	if err != nil || claimed || got.Status != 0 || got.RequestHash != "h1" {
		t.Fatalf("second claim: %+v %v %v", got, claimed, err)
	}
	// Another user's key of the same name is theirs.
	if _, claimed, err := st.ClaimIdempotencyKey(ctx, store.IdempotencyRecord{UserID: bob.ID, Key: "k1", RequestHash: "b", CreatedAt: now}, day); err != nil || !claimed {
		t.Fatalf("bob's claim: %v %v", claimed, err)
	}
	rec.Status, rec.Body, rec.Location = 201, []byte(`{"id":"x"}`), "/api/v1/assessments/x"
	if err := st.FinishIdempotencyKey(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got, claimed, err = st.ClaimIdempotencyKey(ctx, store.IdempotencyRecord{UserID: ann.ID, Key: "k1", RequestHash: "h1", CreatedAt: now.Add(time.Hour)}, day)
	if err != nil || claimed || got.Status != 201 || !bytes.Equal(got.Body, rec.Body) || got.Location != rec.Location || !got.CreatedAt.Equal(now) {
		t.Fatalf("replay: %+v %v %v", got, claimed, err)
	}
	// An answer without a body (a 204) is kept too.
	if _, claimed, err := st.ClaimIdempotencyKey(ctx, store.IdempotencyRecord{UserID: ann.ID, Key: "empty", RequestHash: "e", CreatedAt: now}, day); err != nil || !claimed {
		t.Fatalf("claim empty: %v %v", claimed, err)
	}
	if err := st.FinishIdempotencyKey(ctx, store.IdempotencyRecord{UserID: ann.ID, Key: "empty", Status: 204}); err != nil {
		t.Errorf("an answer without a body: %v", err)
	}
	if err := st.FinishIdempotencyKey(ctx, store.IdempotencyRecord{UserID: ann.ID, Key: "nope", Status: 201}); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("finishing an unclaimed key: %v", err)
	}
	// Released: the key is free again; a finished one is not released.
	if err := st.ReleaseIdempotencyKey(ctx, bob.ID, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, claimed, err := st.ClaimIdempotencyKey(ctx, store.IdempotencyRecord{UserID: bob.ID, Key: "k1", RequestHash: "c", CreatedAt: now}, day); err != nil || !claimed {
		t.Errorf("claim after release: %v %v", claimed, err)
	}
	if err := st.ReleaseIdempotencyKey(ctx, ann.ID, "k1"); err != nil {
		t.Fatal(err)
	}
	// A day later the record is gone and the key free.
	later := now.Add(25 * time.Hour)
	if _, claimed, err := st.ClaimIdempotencyKey(ctx, store.IdempotencyRecord{UserID: ann.ID, Key: "k1", RequestHash: "h9", CreatedAt: later}, later.Add(-24*time.Hour)); err != nil || !claimed {
		t.Errorf("claim a day later: %v %v", claimed, err)
	}
}
