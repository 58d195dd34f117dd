package sqlstore

import (
	"context"
	"database/sql"
	"math/bits"
	"strconv"
	"strings"
)

// maxParams bounds the parameters of one statement, well below what either
// engine allows (SQLite 32766, PostgreSQL 65535).
const maxParams = 16000

// insertRows inserts rows (each len(cols) values, one after the other in
// args) into table, many rows to a statement, each statement prepared once
// per transaction: a bulk load costs a few statements per table instead
// of one per row. suffix follows the VALUES (an ON CONFLICT clause).
func (t *Store) insertRows(ctx context.Context, table string, cols []string, suffix string, args []any) error {
	width := len(cols)
	n := len(args) / width
	per := max(1, maxParams/width)
	for start := 0; start < n; {
		k := min(per, n-start)
		if k < per {
			// The rest in powers of two, so that loads of any size share
			// a handful of prepared statements.
			k = 1 << (bits.Len(uint(k)) - 1)
		}
		stmt, err := t.prepared(ctx, table, cols, suffix, k)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, args[start*width:(start+k)*width]...); err != nil {
			return err
		}
		start += k
	}
	return nil
}

// prepared returns the transaction's statement inserting rows rows into
// table, preparing it the first time.
func (t *Store) prepared(ctx context.Context, table string, cols []string, suffix string, rows int) (*sql.Stmt, error) {
	if t.tx == nil {
		panic("sqlstore: write outside a transaction")
	}
	key := table + "|" + suffix + "|" + strconv.Itoa(rows)
	if st, ok := t.stmts[key]; ok {
		return st, nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(" " + suffix)
	st, err := t.tx.PrepareContext(ctx, t.q(b.String()))
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[key] = st
	return st, nil
}

// columns splits a list of columns ("a, b,\n\tc").
func columns(list string) []string {
	return strings.Fields(strings.ReplaceAll(list, ",", " "))
}

// qualified names each of a list of columns as a column of table t.
func qualified(t, cols string) string {
	list := columns(cols)
	for i, c := range list {
		list[i] = t + "." + c
	}
	return strings.Join(list, ", ")
}
