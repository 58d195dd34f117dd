package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/isogap/isogap/internal/store"
)

const listingCols = `a.id, a.org, a.scope, a.exclusions, a.target_score, a.employees, a.lead_name, a.catalog_id,
	a.catalog_version, a.version, a.created_at, a.updated_at, a.revision,
	s.revision, s.applicable, s.assessed, s.at_target, s.not_applicable, s.readiness, s.coverage, s.audit_ready, s.blockers`

const summaryCols = `assessment_id, revision, applicable, assessed, at_target, not_applicable, readiness, coverage, audit_ready, blockers`

func (s *Store) Listings(ctx context.Context, ids []string) ([]store.Listing, error) {
	from := `SELECT ` + listingCols + ` FROM assessments a LEFT JOIN assessment_summaries s ON s.assessment_id = a.id`
	if ids == nil {
		return s.listings(ctx, from, nil, nil)
	}
	out := make([]store.Listing, 0, len(ids))
	for start := 0; start < len(ids); start += chunk {
		in, args := inList(ids[start:min(start+chunk, len(ids))])
		var err error
		if out, err = s.listings(ctx, from+` WHERE a.id IN `+in, args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) listings(ctx context.Context, query string, args []any, out []store.Listing) ([]store.Listing, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l store.Listing
		a := &l.Assessment
		var excl string
		var created, updated int64
		var rev, applicable, assessed, atTarget, notApplicable, blockers sql.NullInt64
		var readiness, coverage sql.NullFloat64
		var ready sql.NullBool
		if err := rows.Scan(&a.ID, &a.Org, &a.Scope, &excl, &a.TargetScore, &a.Employees, &a.Lead, &a.CatalogID,
			&a.CatalogVersion, &a.Version, &created, &updated, &l.Revision,
			&rev, &applicable, &assessed, &atTarget, &notApplicable, &readiness, &coverage, &ready, &blockers); err != nil {
			return nil, err
		}
		a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
		if excl != "[]" {
			if err := json.Unmarshal([]byte(excl), &a.Exclusions); err != nil {
				return nil, fmt.Errorf("assessment %s: stored JSON: %w", a.ID, err)
			}
		}
		if rev.Valid {
			sm := &store.Summary{AssessmentID: a.ID, Revision: rev.Int64}
			f := &sm.Overall
			f.Applicable, f.Assessed, f.AtTarget, f.NotApplicable = int(applicable.Int64), int(assessed.Int64), int(atTarget.Int64), int(notApplicable.Int64)
			f.Readiness, f.Coverage = readiness.Float64, coverage.Float64
			sm.AuditReady, sm.Blockers = ready.Bool, int(blockers.Int64)
			l.Summary = sm
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *Store) PutSummaries(ctx context.Context, sums []store.Summary) error {
	return s.write(ctx, func(t *Store) error {
		for start := 0; start < len(sums); start += chunk {
			part := sums[start:min(start+chunk, len(sums))]
			ids := make([]string, len(part))
			for i, sm := range part {
				ids[i] = sm.AssessmentID
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
				if !exists[sm.AssessmentID] || seen[sm.AssessmentID] {
					continue
				}
				seen[sm.AssessmentID] = true
				f := sm.Overall
				vals = append(vals, sm.AssessmentID, sm.Revision, f.Applicable, f.Assessed, f.AtTarget, f.NotApplicable,
					f.Readiness, f.Coverage, sm.AuditReady, sm.Blockers)
			}
			if err := t.insertRows(ctx, "assessment_summaries", columns(summaryCols), `ON CONFLICT (assessment_id) DO UPDATE SET
				revision = excluded.revision, applicable = excluded.applicable, assessed = excluded.assessed,
				at_target = excluded.at_target, not_applicable = excluded.not_applicable, readiness = excluded.readiness,
				coverage = excluded.coverage, audit_ready = excluded.audit_ready, blockers = excluded.blockers`, vals); err != nil {
				return err
			}
		}
		return nil
	})
}
