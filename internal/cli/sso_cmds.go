package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/assess"
)

// ssoFlags are a provider's settings on the command line. The client
// secret never travels as an argument (other users of the machine see
// arguments in ps): it is read from standard input or a file.
type ssoFlags struct {
	display, issuer, clientID, groupClaim, secretFile string
	secretStdin, jit, enabled                         bool
	scopes, domains, admins, creators                 []string
}

func (f *ssoFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.display, "display-name", "", "what the sign-in button says (\"Sign in with …\")")
	fl.StringVar(&f.issuer, "issuer", "", "the provider's issuer URL (https)")
	fl.StringVar(&f.clientID, "client-id", "", "the client (application) id the provider gave isogap")
	fl.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret from standard input (first line)")
	fl.StringVar(&f.secretFile, "client-secret-file", "", "read the client secret from this file (first line)")
	fl.StringSliceVar(&f.scopes, "scopes", nil, "scopes to ask for (default openid,email,profile)")
	fl.BoolVar(&f.jit, "jit", false, "make an account at the first sign-in of a verified address in --allowed-domains")
	fl.StringSliceVar(&f.domains, "allowed-domains", nil, "e-mail domains accounts may be made for")
	fl.StringVar(&f.groupClaim, "group-claim", "", "the ID-token claim that lists the person's groups")
	fl.StringSliceVar(&f.admins, "admin-groups", nil, "groups that make a site administrator (applied at each sign-in)")
	fl.StringSliceVar(&f.creators, "creator-groups", nil, "groups that may start assessments (applied at each sign-in)")
	fl.BoolVar(&f.enabled, "enabled", true, "show the provider on the sign-in page")
}

// apply sets the flags given on p.
func (f *ssoFlags) apply(cmd *cobra.Command, p *assess.SSOProvider) error {
	ch := cmd.Flags().Changed
	for flag, set := range map[string]func(){
		"display-name": func() { p.DisplayName = f.display }, "issuer": func() { p.Issuer = f.issuer },
		"client-id": func() { p.ClientID = f.clientID }, "scopes": func() { p.Scopes = f.scopes }, "jit": func() { p.JIT = f.jit },
		"allowed-domains": func() { p.AllowedDomains = f.domains }, "group-claim": func() { p.GroupClaim = f.groupClaim },
		"admin-groups": func() { p.AdminGroups = f.admins }, "creator-groups": func() { p.CreatorGroups = f.creators },
		"enabled": func() { p.Enabled = f.enabled },
	} {
		if ch(flag) {
			set()
		}
	}
	var r io.Reader
	switch {
	case f.secretStdin && f.secretFile != "":
		return usagef("give the client secret once: --client-secret-stdin or --client-secret-file")
	case f.secretStdin:
		r = cmd.InOrStdin()
	case f.secretFile != "":
		fh, err := os.Open(f.secretFile)
		if err != nil {
			return usagef("--client-secret-file: %v", err)
		}
		defer fh.Close()
		r = fh
	default:
		return nil
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	if p.ClientSecret = strings.TrimSpace(line); p.ClientSecret == "" {
		return usagef("the client secret read is empty")
	}
	return nil
}

func newSSOCmd(c *cliApp) *cobra.Command {
	cmd := group(&cobra.Command{Use: "sso", Short: "Manage single sign-on (OpenID Connect) providers",
		Long: `Providers people sign in with (Microsoft Entra ID, Google Workspace, Okta,
Keycloak…). Register isogap at the provider as a web application whose
redirect URI is <this site's address>/sso/callback. The client secret is
read from standard input or a file, never from an argument, and never
shown again; isogap keeps it in its database as given, because it must
present it to the provider.`})
	var add, set ssoFlags
	addCmd := &cobra.Command{
		Use:   "add NAME --display-name TEXT --issuer URL --client-id ID [--client-secret-stdin | --client-secret-file FILE] [flags]",
		Short: "Add a provider",
		Args:  exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := assess.SSOProvider{Name: args[0], Enabled: true}
			if err := add.apply(cmd, &p); err != nil {
				return err
			}
			return c.saveSSO(cmd, p, true)
		},
	}
	add.register(addCmd)
	setCmd := &cobra.Command{
		Use:   "set NAME [flags]",
		Short: "Change a provider: only the settings given change",
		Args:  exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			p, err := svc.SSOProvider(cmd.Context(), c.me(), args[0])
			if err != nil {
				return err
			}
			if err := set.apply(cmd, &p); err != nil {
				return err
			}
			return c.saveSSO(cmd, p, false)
		},
	}
	set.register(setCmd)
	list := &cobra.Command{
		Use:   "list",
		Short: "List the providers (never their secrets)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			l, err := svc.SSOProviders(cmd.Context(), c.me())
			if err != nil {
				return err
			}
			if len(l) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "No single sign-on provider: add one with \"isogap sso add\".")
			}
			for _, p := range l {
				printSSO(cmd, p)
			}
			return nil
		},
	}
	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a provider and every account's link to it",
		Args:  exactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			if err := svc.RemoveSSOProvider(cmd.Context(), c.me(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Removed %s.\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(addCmd, setCmd, list, remove)
	return cmd
}

func (c *cliApp) saveSSO(cmd *cobra.Command, p assess.SSOProvider, create bool) error {
	svc, err := c.service(cmd.Context())
	if err != nil {
		return err
	}
	if p, err = svc.SaveSSOProvider(cmd.Context(), c.me(), p, create); err != nil {
		return err
	}
	printSSO(cmd, p)
	return nil
}

func printSSO(cmd *cobra.Command, p assess.SSOProvider) {
	onOff := map[bool]string{true: "on", false: "off"}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %q, issuer %s, client id %s, secret %s, scopes %s, enabled %s, accounts at first sign-in %s",
		p.Name, p.DisplayName, p.Issuer, p.ClientID, map[bool]string{true: "set", false: "none"}[p.SecretSet], strings.Join(p.Scopes, " "),
		onOff[p.Enabled], onOff[p.JIT])
	if p.JIT {
		fmt.Fprintf(cmd.OutOrStdout(), " (%s)", strings.Join(p.AllowedDomains, ", "))
	}
	if p.GroupClaim != "" {
		fmt.Fprintf(cmd.OutOrStdout(), ", groups from %q: admins %v, creators %v", p.GroupClaim, p.AdminGroups, p.CreatorGroups)
	}
	fmt.Fprintln(cmd.OutOrStdout())
}
