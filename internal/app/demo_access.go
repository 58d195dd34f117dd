package app

import (
	"context"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// DemoLogin is the demo account's login.
const DemoLogin = "demo"

// EnsureDemo returns the demo assessment, creating it if the database has
// none, so running the demo twice does not pile up copies.
func (s *Service) EnsureDemo(ctx context.Context, now time.Time) (assess.Assessment, bool, error) {
	list, err := s.store.ListAssessments(ctx)
	if err != nil {
		return assess.Assessment{}, false, err
	}
	for _, a := range list {
		if a.Org == DemoOrg {
			return a, false, nil
		}
	}
	a, err := s.CreateDemo(ctx, now)
	return a, true, err
}

// EnsureDemoUser makes the demo account the assessor of the demo assessment
// with a fresh random password, which it returns. The account is a site
// administrator only on a database that had no accounts before.
func (s *Service) EnsureDemoUser(ctx context.Context, aid string) (assess.User, string, error) {
	pw := RandomPassword()
	hash, err := HashPassword(pw)
	if err != nil {
		return assess.User{}, "", err
	}
	var u assess.User
	err = s.store.InTx(ctx, func(st store.Store) error {
		var err error
		u, _, err = st.UserByLogin(ctx, DemoLogin)
		switch {
		case assess.KindOf(err) == assess.KindNotFound:
			n, err := st.CountUsers(ctx)
			if err != nil {
				return err
			}
			// The lead of the demo, so the items they own are theirs.
			u, err = st.CreateUser(ctx, assess.User{Login: DemoLogin, Name: "Samir Okafor", Admin: n == 0}, hash, false)
			if err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if err := st.SetPassword(ctx, u.ID, hash); err != nil {
				return err
			}
		}
		return st.PutMembership(ctx, assess.Membership{AssessmentID: aid, UserID: u.ID, Role: assess.RoleAssessor})
	})
	return u, pw, err
}
