package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// headerCols are what Listings reads of an assessment without a current
// summary: the header a list needs, without the scope (Scopes reads it).
const headerCols = `id, org, exclusions, target_score, lead_name, catalog_id, catalog_version, version, created_at, updated_at, revision`

func (s *Store) Listings(ctx context.Context, ids []string) ([]store.Listing, error) {
	var out []store.Listing
	err := s.read(ctx, func(t *Store) error {
		// The assessment's own row is not read for a current summary (the
		// index on id and revision answers), which keeps a long list fast.
		summary := `s.summary`
		if t.db.Dialect.Name == "sqlite" {
			// As text, the same bytes come as a string the driver made
			// once, where a blob is copied once more into a string.
			summary = `CAST(s.summary AS TEXT)`
		}
		query := `SELECT a.id, a.revision, s.revision, ` + summary + `
			FROM assessments a LEFT JOIN assessment_summaries s ON s.assessment_id = a.id`
		var stale []int
		var err error
		if ids == nil {
			// Sized once: a listing is a few hundred bytes, and growing a
			// list of thousands by appending copies it over and over.
			var n int
			if err := t.queryRow(ctx, `SELECT count(*) FROM assessments`).Scan(&n); err != nil {
				return err
			}
			out = make([]store.Listing, 0, n)
			out, stale, err = t.listings(ctx, query, nil, out, stale)
		} else {
			out = make([]store.Listing, 0, len(ids))
			for start := 0; start < len(ids); start += chunk {
				in, args := inList(ids[start:min(start+chunk, len(ids))])
				if out, stale, err = t.listings(ctx, query+` WHERE a.id IN `+in, args, out, stale); err != nil {
					return err
				}
			}
		}
		if err != nil {
			return err
		}
		return t.listingHeaders(ctx, out, stale)
	})
	return out, err
}

// listings reads listings, with the header kept in the summary when it is
// current, and tells which lack one. Each row is read straight into its
// place in out. A kept value that does not unpack counts as none: it is
// computed again and replaced.
func (t *Store) listings(ctx context.Context, query string, args []any, out []store.Listing, stale []int) ([]store.Listing, []int, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var kept sql.NullInt64
	var packed sql.NullString
	for rows.Next() {
		out = append(out, store.Listing{})
		l := &out[len(out)-1]
		if err := rows.Scan(&l.Assessment.ID, &l.Revision, &kept, &packed); err != nil {
			return nil, nil, err
		}
		if kept.Valid {
			id := l.Assessment.ID
			if unpackSummary(packed.String, l) == nil {
				l.Kept = kept.Int64
			} else {
				*l = store.Listing{Assessment: assess.Assessment{ID: id}, Revision: l.Revision}
			}
		}
		if _, ok := l.Current(); !ok {
			stale = append(stale, len(out)-1)
		}
	}
	return out, stale, rows.Err()
}

// listingHeaders reads the header of out[i] for each i in which.
func (t *Store) listingHeaders(ctx context.Context, out []store.Listing, which []int) error {
	at := make(map[string]int, len(which))
	for _, i := range which {
		at[out[i].Assessment.ID] = i
	}
	for start := 0; start < len(which); start += chunk {
		part := which[start:min(start+chunk, len(which))]
		ids := make([]string, len(part))
		for j, i := range part {
			ids[j] = out[i].Assessment.ID
		}
		in, args := inList(ids)
		rows, err := t.query(ctx, `SELECT `+headerCols+` FROM assessments WHERE id IN `+in, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a assess.Assessment
			var excl string
			var created, updated, rev int64
			if err := rows.Scan(&a.ID, &a.Org, &excl, &a.TargetScore, &a.Lead, &a.CatalogID, &a.CatalogVersion,
				&a.Version, &created, &updated, &rev); err != nil {
				rows.Close()
				return err
			}
			a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
			if err := json.Unmarshal([]byte(excl), &a.Exclusions); err != nil {
				rows.Close()
				return fmt.Errorf("assessment %s: stored JSON: %w", a.ID, err)
			}
			out[at[a.ID]].Assessment, out[at[a.ID]].Revision = a, rev
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Scopes(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	err := s.read(ctx, func(t *Store) error {
		for start := 0; start < len(ids); start += chunk {
			in, args := inList(ids[start:min(start+chunk, len(ids))])
			rows, err := t.query(ctx, `SELECT id, scope FROM assessments WHERE id IN `+in, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, scope string
				if err := rows.Scan(&id, &scope); err != nil {
					rows.Close()
					return err
				}
				out[id] = scope
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) PutSummaries(ctx context.Context, sums []store.Summary) error {
	return s.write(ctx, func(t *Store) error {
		for start := 0; start < len(sums); start += chunk {
			part := sums[start:min(start+chunk, len(sums))]
			ids := make([]string, len(part))
			for i, sm := range part {
				ids[i] = sm.Assessment.ID
			}
			// Only assessments that still exist: one deleted since its
			// summary was computed has nothing to keep it for.
			in, args := inList(ids)
			rows, err := t.query(ctx, `SELECT id FROM assessments WHERE id IN `+in, args...)
			if err != nil {
				return err
			}
			exists := map[string]bool{}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				exists[id] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			var vals []any
			seen := map[string]bool{}
			for _, sm := range part {
				a := sm.Assessment
				if !exists[a.ID] || seen[a.ID] {
					continue
				}
				seen[a.ID] = true
				vals = append(vals, a.ID, sm.Revision, packSummary(sm))
			}
			if err := t.insertRows(ctx, "assessment_summaries", columns("assessment_id, revision, summary"),
				`ON CONFLICT (assessment_id) DO UPDATE SET revision = excluded.revision, summary = excluded.summary`, vals); err != nil {
				return err
			}
		}
		return nil
	})
}
