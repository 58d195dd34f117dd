package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
)

const tokenLong = `Personal access tokens let scripts and other tools use the REST API
(/api/v1/, described at /api/v1/openapi.json and /api/v1/docs) in a person's
name: send one as "Authorization: Bearer isg_…". A token has its owner's
rights as they are at each request, never more; a read-only token changes
nothing. People make and revoke their own on their account page in the web
app; here the command line does it for a named account.`

func newTokenCmd(c *cliApp) *cobra.Command {
	cmd := group(&cobra.Command{Use: "token", Short: "Make, list and revoke access tokens for the REST API", Long: tokenLong})
	var in app.NewToken
	var expires string
	create := &cobra.Command{
		Use:   "create --user LOGIN --name NAME [--expires 90d] [--read-only]",
		Short: "Make a token for an account and print its secret (shown this once)",
		Long: tokenLong + `

The secret is printed once on standard output; isogap keeps only its hash.
--expires takes a lifetime in days, weeks, months or years (30d, 12w, 6m,
1y; at most a year) or a date (2027-06-30).`,
		Example: `  isogap token create --user ann --name ci --expires 90d --read-only
  TOKEN=$(isogap token create --user ann --name sync -q)`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			if in.Expires, err = parseExpiry(expires, svc.Now()); err != nil {
				return err
			}
			made, err := svc.CreateToken(cmd.Context(), c.me(), in)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if quiet, _ := cmd.Flags().GetBool("quiet"); quiet {
				_, err := fmt.Fprintln(out, made.Secret)
				return err
			}
			access := "read and write"
			if made.Token.ReadOnly {
				access = "read-only"
			}
			fmt.Fprintf(out, "Token %q (id %d) for %s, %s, expires %s.\n", made.Token.Name, made.Token.ID, app.NormalizeLogin(in.User), access, made.Token.ExpiresAt.Format(time.DateOnly))
			fmt.Fprintf(out, "Secret (shown this once, keep it in a secret store):\n\n  %s\n\n", made.Secret)
			fmt.Fprintf(out, "Try it against \"isogap serve\": curl -H \"Authorization: Bearer %s\" http://%s/api/v1/me\n", made.Secret, DefaultAddr)
			return nil
		},
	}
	create.Flags().StringVar(&in.User, "user", "", "login of the account the token acts for (required)")
	create.Flags().StringVar(&in.Name, "name", "", `what the token is for, such as "ci" or "ticket-sync" (required)`)
	create.Flags().StringVar(&expires, "expires", "90d", "lifetime (30d, 12w, 6m, 1y) or expiry date (YYYY-MM-DD), at most a year")
	create.Flags().BoolVar(&in.ReadOnly, "read-only", false, "a token that reads and never changes anything")
	create.Flags().BoolP("quiet", "q", false, "print the secret only")
	_ = create.MarkFlagRequired("user")
	_ = create.MarkFlagRequired("name")

	var listUser string
	list := &cobra.Command{
		Use:   "list --user LOGIN",
		Short: "List an account's tokens: name, access, expiry, last use, status",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			toks, err := svc.UserTokens(cmd.Context(), c.me(), listUser)
			if err != nil {
				return err
			}
			if len(toks) == 0 {
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s has no access tokens.\n", app.NormalizeLogin(listUser))
				return err
			}
			now := svc.Now()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tTOKEN\tACCESS\tMADE\tEXPIRES\tLAST USED\tSTATUS")
			for _, t := range toks {
				access, status, used := "read-write", "active", "never"
				if t.ReadOnly {
					access = "read-only"
				}
				switch {
				case !t.RevokedAt.IsZero():
					status = "revoked " + t.RevokedAt.Format(time.DateOnly)
				case !t.Active(now):
					status = "expired"
				}
				if !t.LastUsedAt.IsZero() {
					used = t.LastUsedAt.Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Prefix, access, t.CreatedAt.Format(time.DateOnly),
					t.ExpiresAt.Format(time.DateOnly), used, status)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&listUser, "user", "", "login of the account (required)")
	_ = list.MarkFlagRequired("user")

	var revokeUser string
	revoke := &cobra.Command{
		Use:   "revoke --user LOGIN ID",
		Short: "Revoke a token at once: requests that carry it are refused",
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usagef("token id %q: want the number \"isogap token list\" shows", args[0])
			}
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			if err := svc.RevokeUserToken(cmd.Context(), c.me(), revokeUser, id); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Token %d of %s revoked.\n", id, app.NormalizeLogin(revokeUser))
			return err
		},
	}
	revoke.Flags().StringVar(&revokeUser, "user", "", "login of the token's owner (required)")
	_ = revoke.MarkFlagRequired("user")
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// parseExpiry reads a lifetime ("90d", "12w", "6m", "1y") or a date.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Add(24*time.Hour - time.Second), nil // the end of that day
	}
	if len(s) >= 2 {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err == nil && n > 0 && n <= 1000 {
			switch s[len(s)-1] {
			case 'd':
				return now.AddDate(0, 0, n), nil
			case 'w':
				return now.AddDate(0, 0, 7*n), nil
			case 'm':
				return now.AddDate(0, n, 0), nil
			case 'y':
				return now.AddDate(n, 0, 0), nil
			}
		}
	}
	return time.Time{}, usagef("--expires %q: want a lifetime such as 30d, 12w, 6m or 1y, or a date such as 2027-06-30", s)
}
