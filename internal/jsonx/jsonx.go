// Package jsonx decodes JSON strictly and says where a problem is.
package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DecodeStrict decodes one JSON value, refusing unknown fields and trailing
// data; errors carry the line and column.
func DecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New(Describe(data, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := LineCol(data, dec.InputOffset())
		return fmt.Errorf("line %d, column %d: unexpected data after the JSON value", line, col)
	}
	return nil
}

// Describe adds the line and column to a JSON decoding error.
func Describe(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		field := te.Field
		if field == "" {
			field = "value"
		}
		line, col := LineCol(data, off)
		return fmt.Sprintf("line %d, column %d: %s: got a JSON %s, want %s", line, col, field, te.Value, te.Type)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		line, _ := LineCol(data, int64(len(data)))
		return fmt.Sprintf("line %d: the file ends before the JSON does (a missing } or ])", line)
	}
	if off < 0 {
		return err.Error()
	}
	line, col := LineCol(data, off)
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// LineCol converts a byte offset into a 1-based line and column.
func LineCol(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
