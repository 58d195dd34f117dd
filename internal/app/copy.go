package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// CopyReport says what a copy moved.
type CopyReport struct {
	// Inventory counts what was copied; Users only the accounts created.
	Inventory
	// UsersKept counts accounts whose login the target already had: the
	// target's account (and its password) is kept, and memberships follow it.
	UsersKept int
}

// Copy moves everything from one store to another (SQLite ↔ PostgreSQL) in
// one transaction on the target: custom catalogs, accounts, and every
// assessment with its items, evidence, history, assumptions, snapshots and
// memberships, and the access tokens not revoked. Sessions and sign-in
// counters are not copied: people sign in again. Each assessment is read back inside that
// transaction and compared with the source; any difference, any id already
// present in the target, or any error rolls the whole copy back, leaving
// the target as it was. progress, if set, is told after each assessment.
// Only the command line may copy: it works on whole databases.
func (s *Service) CopyTo(ctx context.Context, p Principal, dst *Service, progress func(done, total int)) (CopyReport, error) {
	var rep CopyReport
	if err := requireSystem(p, "copy a database"); err != nil {
		return rep, err
	}
	from, to := s.store, dst.store
	catalogs, err := from.Catalogs(ctx)
	if err != nil {
		return rep, fmt.Errorf("read source catalogs: %w", err)
	}
	list, err := from.ListAssessments(ctx)
	if err != nil {
		return rep, fmt.Errorf("read source assessments: %w", err)
	}
	users, err := from.ListUsers(ctx)
	if err != nil {
		return rep, fmt.Errorf("read source accounts: %w", err)
	}
	err = to.InTx(ctx, func(tx store.Store) error {
		var clash []string
		for _, a := range list {
			if _, err := tx.GetAssessment(ctx, a.ID); err == nil {
				clash = append(clash, a.ID)
			} else if assess.KindOf(err) != assess.KindNotFound {
				return err
			}
		}
		if len(clash) > 0 {
			return assess.Errorf(assess.KindConflict, "the target already holds %d of the assessments (%s): copy into an empty database",
				len(clash), strings.Join(clash[:min(5, len(clash))], ", "))
		}
		for _, c := range catalogs {
			if err := tx.PutCatalog(ctx, c.ID, c.Version, c.Content); err != nil {
				return err
			}
			got, err := tx.GetCatalog(ctx, c.ID, c.Version)
			if err != nil {
				return err
			}
			if string(got) != string(c.Content) {
				return assess.Errorf(assess.KindConflict, "catalog %s version %s differs in the target", c.ID, c.Version)
			}
			rep.Catalogs++
		}
		userIDs, err := copyUsers(ctx, from, tx, users, &rep)
		if err != nil {
			return err
		}
		for i, a := range list {
			rec, err := copyAssessment(ctx, from, tx, a.ID)
			if err != nil {
				return err
			}
			n, err := copyMembers(ctx, from, tx, a.ID, userIDs)
			if err != nil {
				return err
			}
			rep.Memberships += n
			rep.Assessments++
			rep.Items += len(rec.Items)
			rep.History += len(rec.History)
			for _, it := range rec.Items {
				rep.Evidence += len(it.Evidence)
			}
			if progress != nil {
				progress(i+1, len(list))
			}
		}
		return nil
	})
	if err != nil {
		return CopyReport{}, err
	}
	return rep, nil
}

// copyUsers creates the source's accounts in the target (matched by login)
// and returns the target id of every source account.
func copyUsers(ctx context.Context, from, tx store.Store, users []assess.User, rep *CopyReport) (map[int64]int64, error) {
	ids := make(map[int64]int64, len(users))
	for _, u := range users {
		_, hash, err := from.UserByLogin(ctx, u.Login)
		if err != nil {
			return nil, fmt.Errorf("read account %s: %w", u.Login, err)
		}
		if existing, _, err := tx.UserByLogin(ctx, u.Login); err == nil {
			ids[u.ID] = existing.ID
			rep.UsersKept++
			continue
		} else if assess.KindOf(err) != assess.KindNotFound {
			return nil, err
		}
		nu := u
		nu.ID = 0
		created, err := tx.CreateUser(ctx, nu, hash, false)
		if err != nil {
			return nil, fmt.Errorf("write account %s: %w", u.Login, err)
		}
		back, backHash, err := tx.UserByLogin(ctx, u.Login)
		if err != nil {
			return nil, err
		}
		back.ID = u.ID
		if back != u || backHash != hash {
			return nil, fmt.Errorf("verification failed, nothing copied: account %s differs in the target", u.Login)
		}
		ids[u.ID] = created.ID
		rep.Users++
		if err := copyTokens(ctx, from, tx, u, created.ID); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// copyTokens carries an account's access tokens that were not revoked, so
// scripts keep working after a move to another database.
func copyTokens(ctx context.Context, from, tx store.Store, u assess.User, newID int64) error {
	toks, err := from.Tokens(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("read access tokens of %s: %w", u.Login, err)
	}
	for _, t := range toks {
		if !t.RevokedAt.IsZero() {
			continue
		}
		t.UserID = newID
		made, err := tx.CreateToken(ctx, t)
		if err != nil {
			return fmt.Errorf("write access token %q of %s: %w", t.Name, u.Login, err)
		}
		if !t.LastUsedAt.IsZero() {
			if err := tx.TouchToken(ctx, made.ID, t.LastUsedAt); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyMembers copies an assessment's memberships onto the target's accounts.
func copyMembers(ctx context.Context, from, tx store.Store, aid string, userIDs map[int64]int64) (int, error) {
	members, err := from.Members(ctx, aid)
	if err != nil {
		return 0, fmt.Errorf("read members of %s: %w", aid, err)
	}
	for _, m := range members {
		id, ok := userIDs[m.UserID]
		if !ok {
			return 0, fmt.Errorf("member %d of %s has no account", m.UserID, aid)
		}
		m.UserID, m.User = id, assess.User{}
		if err := tx.PutMembership(ctx, m); err != nil {
			return 0, fmt.Errorf("write member of %s: %w", aid, err)
		}
		back, err := tx.Membership(ctx, aid, id)
		if err != nil {
			return 0, err
		}
		back.User = assess.User{}
		if !reflect.DeepEqual(back, m) {
			return 0, fmt.Errorf("verification failed, nothing copied: a membership of %s differs in the target", aid)
		}
	}
	return len(members), nil
}

// copyAssessment writes one assessment into the target transaction from
// one consistent view of the source, then reads it back and compares. The
// evidence files go one at a time, each checked against the SHA-256 its
// evidence entry records, so a copy holds one file in memory whatever the
// files add up to.
func copyAssessment(ctx context.Context, from, tx store.Store, aid string) (assess.Record, error) {
	var rec assess.Record
	err := from.ReadTx(ctx, func(src store.Store) error {
		var err error
		if rec, err = src.Record(ctx, aid); err != nil {
			return fmt.Errorf("read assessment %s: %w", aid, err)
		}
		if err := tx.LoadRecord(ctx, rec); err != nil {
			return fmt.Errorf("write assessment %s: %w", aid, err)
		}
		sums := fileSums(rec)
		copied := 0
		err = src.EvidenceFiles(ctx, aid, func(id int64, content []byte) error {
			if err := sameFile(sums, aid, id, content); err != nil {
				return fmt.Errorf("source: %w", err)
			}
			copied++
			return tx.PutEvidenceFile(ctx, aid, id, content)
		})
		if err != nil {
			return fmt.Errorf("copy the evidence files of %s: %w", aid, err)
		}
		if copied != len(sums) {
			return fmt.Errorf("assessment %s: %d of its %d evidence files have no content in the source", aid, len(sums)-copied, len(sums))
		}
		return nil
	})
	if err != nil {
		return rec, err
	}
	back, err := tx.Record(ctx, aid)
	if err != nil {
		return rec, fmt.Errorf("read back assessment %s: %w", aid, err)
	}
	if err := assess.DiffRecords(rec, back); err != nil {
		return rec, fmt.Errorf("verification failed, nothing copied: %w", err)
	}
	sums, seen := fileSums(rec), 0
	err = tx.EvidenceFiles(ctx, aid, func(id int64, content []byte) error {
		seen++
		return sameFile(sums, aid, id, content)
	})
	if err == nil && seen != len(sums) {
		err = fmt.Errorf("assessment %s: %d evidence files vs %d", aid, seen, len(sums))
	}
	if err != nil {
		return rec, fmt.Errorf("verification failed, nothing copied: %w", err)
	}
	return rec, nil
}

// fileSums lists the SHA-256 and size each file evidence (of items and
// interviews) records, by id.
func fileSums(rec assess.Record) map[int64]assess.Evidence {
	sums := map[int64]assess.Evidence{}
	for _, it := range rec.Items {
		for _, ev := range it.Evidence {
			if ev.Kind == assess.EvidenceFile {
				sums[ev.ID] = ev
			}
		}
	}
	for _, iv := range rec.Interviews {
		for _, ev := range iv.Evidence {
			if ev.Kind == assess.EvidenceFile {
				sums[ev.ID] = ev.Evidence
			}
		}
	}
	return sums
}

// sameFile checks a file's content against its evidence entry.
func sameFile(sums map[int64]assess.Evidence, aid string, id int64, content []byte) error {
	ev, ok := sums[id]
	if !ok {
		return fmt.Errorf("assessment %s: file %d belongs to no file evidence", aid, id)
	}
	sum := sha256.Sum256(content)
	if hex.EncodeToString(sum[:]) != ev.SHA256 || int64(len(content)) != ev.Size {
		return fmt.Errorf("assessment %s: the file of evidence %d (%s) does not match its size and SHA-256", aid, id, ev.FileName)
	}
	return nil
}
