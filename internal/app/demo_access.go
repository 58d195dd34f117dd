package app

import (
	"context"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// DemoLogin is the demo account's login.
const DemoLogin = "demo"

// EnsureDemo returns the demo assessment, creating it if the database has
// none, so running the demo twice does not pile up copies.
// Only the command line may.
func (s *Service) EnsureDemo(ctx context.Context, p Principal) (assess.Assessment, bool, error) {
	if err := requireSystem(p, "set up the demo"); err != nil {
		return assess.Assessment{}, false, err
	}
	list, err := s.store.ListAssessments(ctx)
	if err != nil {
		return assess.Assessment{}, false, err
	}
	for _, a := range list {
		if a.Org == DemoOrg {
			return a, false, nil
		}
	}
	a, err := s.CreateDemo(ctx, p)
	return a, true, err
}

// EnsureDemoUser makes the demo account the assessor of the demo assessment
// with a fresh random password, which it returns. The account is a site
// administrator only on a database that had no accounts before.
// Only the command line may.
func (s *Service) EnsureDemoUser(ctx context.Context, p Principal, aid string) (assess.User, string, error) {
	if err := requireSystem(p, "set up the demo"); err != nil {
		return assess.User{}, "", err
	}
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
			u, err = st.CreateUser(ctx, assess.User{Login: DemoLogin, Name: "Samir Okafor", Admin: n == 0, CreatedAt: s.now()}, hash, false)
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
		return st.PutMembership(ctx, assess.Membership{AssessmentID: aid, UserID: u.ID, Role: assess.RoleAssessor, CreatedAt: s.now()})
	})
	return u, pw, err
}
