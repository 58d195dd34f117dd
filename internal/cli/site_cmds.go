package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
)

func newSiteCmd(c *cliApp) *cobra.Command {
	cmd := group(&cobra.Command{Use: "site", Short: "Show or change the site's sign-in rules",
		Long: `The site's sign-in rules, kept in the database and applied by every
instance: whether people may sign in with a password, and who must use a
second factor. Administrators change them in the web app too (Accounts →
Site settings); the command line always can, so a broken identity provider
never locks everyone out: "isogap site set --password-sign-in=true".`})
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the site's sign-in rules",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			st, err := svc.SiteSettings(cmd.Context())
			if err != nil {
				return err
			}
			printSite(cmd, st)
			return nil
		},
	}
	var pw bool
	var twofa string
	set := &cobra.Command{
		Use:   "set [--password-sign-in=true|false] [--require-2fa nobody|admins|assessors|everyone]",
		Short: "Change the site's sign-in rules",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("password-sign-in") && !cmd.Flags().Changed("require-2fa") {
				return usagef("nothing to set: give --password-sign-in and/or --require-2fa")
			}
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			st, err := svc.SiteSettings(cmd.Context())
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("password-sign-in") {
				st.PasswordSignIn = pw
			}
			if cmd.Flags().Changed("require-2fa") {
				st.Require2FA = twofa
				if twofa == "nobody" {
					st.Require2FA = app.Require2FANobody
				}
			}
			if st, err = svc.UpdateSiteSettings(cmd.Context(), c.me(), st); err != nil {
				return err
			}
			printSite(cmd, st)
			return nil
		},
	}
	set.Flags().BoolVar(&pw, "password-sign-in", true, "let people sign in with a login and password")
	set.Flags().StringVar(&twofa, "require-2fa", "nobody", "who must use a second factor: nobody, admins, assessors or everyone")
	cmd.AddCommand(show, set)
	return cmd
}

func printSite(cmd *cobra.Command, st app.SiteSettings) {
	who := st.Require2FA
	if who == app.Require2FANobody {
		who = "nobody"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Password sign-in:  %s\nTwo factors for:   %s\n", map[bool]string{true: "on", false: "off"}[st.PasswordSignIn], who)
}
