package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// MaxEvidenceFile caps an uploaded evidence file.
const MaxEvidenceFile = 20 << 20

// NewEvidence is evidence to attach to an item.
type NewEvidence struct {
	Text        string
	URL         string
	FileName    string
	ContentType string
	Content     []byte
	Date        assess.Date
}

// AddEvidence validates and attaches evidence for p, if p may edit the
// item: a statement, a link, or a file (kept in the database with its size,
// type and SHA-256).
func (s *Service) AddEvidence(ctx context.Context, p Principal, aid, ref string, in NewEvidence) (assess.Evidence, error) {
	var out assess.Evidence
	err := s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		at, err := t.editable(ctx, acc, ref)
		if err != nil {
			return err
		}
		out, err = t.addEvidence(ctx, p.Name(), aid, at.it.Ref, in)
		return err
	})
	return out, err
}

// addEvidence attaches evidence to the item with the catalog ref ref, unchecked.
func (s *Service) addEvidence(ctx context.Context, actor, aid, ref string, in NewEvidence) (assess.Evidence, error) {
	ev, err := buildEvidence(actor, in)
	if err != nil {
		return ev, err
	}
	var content []byte
	if ev.Kind == assess.EvidenceFile {
		content = in.Content
	}
	return s.store.AddEvidence(ctx, aid, ref, ev, content)
}

func buildEvidence(actor string, in NewEvidence) (assess.Evidence, error) {
	errs := &assess.FieldErrors{Context: "evidence"}
	ev := assess.Evidence{Text: strings.TrimSpace(in.Text), Date: in.Date, AddedBy: actor, Kind: assess.EvidenceText}
	switch {
	case in.FileName != "" || in.Content != nil:
		ev.Kind = assess.EvidenceFile
		ev.FileName = safeFileName(in.FileName)
		ev.ContentType = in.ContentType
		if ev.ContentType == "" {
			ev.ContentType = "application/octet-stream"
		}
		ev.Size = int64(len(in.Content))
		sum := sha256.Sum256(in.Content)
		ev.SHA256 = hex.EncodeToString(sum[:])
		if len(in.Content) == 0 {
			errs.Add("file", assess.Shown(in.FileName), "the file is empty", "a non-empty file")
		}
		if len(in.Content) > MaxEvidenceFile {
			errs.Add("file", assess.Shown(in.FileName), "the file is too large", "at most 20 MiB")
		}
	case in.URL != "":
		ev.Kind = assess.EvidenceLink
		ev.URL = strings.TrimSpace(in.URL)
	}
	if err := assess.ValidateEvidence(ev); err != nil {
		errs.List = append(errs.List, err.(*assess.FieldErrors).List...)
	}
	return ev, errs.Err()
}

// safeFileName keeps the base name only and drops characters that would
// break a Content-Disposition header or a file system.
func safeFileName(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`"<>|:*?`, r) {
			return '_'
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	return name
}

// RemoveEvidence detaches evidence for p, if p may edit its item (recorded
// in the history).
func (s *Service) RemoveEvidence(ctx context.Context, p Principal, aid string, id int64) error {
	return s.writing(ctx, p, aid, func(t *Service, acc Access) error {
		items, err := t.store.ListItems(ctx, aid)
		if err != nil {
			return err
		}
		for _, it := range items {
			for _, ev := range it.Evidence {
				if ev.ID == id {
					if err := acc.CheckEdit(it); err != nil {
						return err
					}
					return t.store.RemoveEvidence(ctx, aid, id, p.Name())
				}
			}
		}
		return assess.Errorf(assess.KindNotFound, "evidence %d not found", id)
	})
}

// EvidenceFile returns an evidence file and its content, if p may download evidence.
func (s *Service) EvidenceFile(ctx context.Context, p Principal, aid string, id int64) (assess.Evidence, []byte, error) {
	var ev assess.Evidence
	var content []byte
	err := s.reading(ctx, p, aid, func(t *Service, acc Access) error {
		if err := need(acc.CanDownloadEvidence(), "viewers cannot download evidence files: ask the assessor for the auditor or contributor role"); err != nil {
			return err
		}
		var err error
		if ev, content, err = t.store.EvidenceContent(ctx, aid, id); err != nil {
			return err
		}
		if ev.Kind != assess.EvidenceFile {
			return assess.Errorf(assess.KindNotFound, "evidence %d has no file", id)
		}
		return nil
	})
	return ev, content, err
}

// HistoryQuery narrows History.
type HistoryQuery = store.HistoryQuery

// History lists the recorded changes of an assessment or of one item, for
// any member.
func (s *Service) History(ctx context.Context, p Principal, aid string, q HistoryQuery) ([]assess.Change, error) {
	var out []assess.Change
	err := s.reading(ctx, p, aid, func(t *Service, _ Access) error {
		var err error
		out, err = t.store.History(ctx, aid, q)
		return err
	})
	return out, err
}
