package cli

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

func newCatalogImportCmd(c *cliApp) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "import FILE.json [-o CATALOG.json]",
		Short: "Store a catalog (OSCAL or isogap JSON) in the database to assess against",
		Long: `Store a catalog in the database so assessments can be made from it with
--catalog ID. FILE is an OSCAL catalog in JSON (NIST SP 800-53, a resolved
profile baseline, any framework written as OSCAL) or a catalog in isogap's own
format ("isogap catalog --schema").

An OSCAL catalog is checked against NIST's schema first; errors name the JSON
pointer of each problem. It then becomes an isogap catalog:

  sections   the top-level groups (their label, else their id); titles of
             nested groups lead the summary of their items
  items      every control and control enhancement, ref = its label when
             unique, else its id; withdrawn controls are skipped
  summary    the statement, with its item labels and the parameters filled in
  questions  isogap's question parts when the file has them, else one
             question generated from the title ("Is … in place?")
  id         a slug of the metadata title; version: the metadata version

Departments, effort and ISO/IEC 27002 attributes come from isogap's props when
the file carries them (as "isogap export --format oscal-catalog" writes), else
one department (Security/ISMS) and 3 person-days per item. Edit the file
written by -o and import that instead to change them.

Importing the same file again changes nothing; a different catalog with the
same id and version is refused: raise the version.`,
		Example: `  isogap catalog import NIST_SP-800-53_rev5_catalog.json -o sp800-53.json
  isogap --catalog nist-sp-800-53-rev5 init --org "Acme Ltd"`,
		Args: exactArgs("FILE.json"),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readCatalogFile(c.path(args[0]))
			if err != nil {
				return assess.Wrap(assess.KindInvalid, err, "catalog import")
			}
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			info, err := svc.ImportCatalog(cmd.Context(), c.me(), data)
			if err != nil {
				return err
			}
			if out != "" {
				_, content, _, err := app.ReadCatalogFile(data)
				if err == nil {
					err = os.WriteFile(c.path(out), content, 0o644)
				}
				if err != nil {
					return err
				}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Stored catalog %s version %s: %s\n%d sections, %d clause requirements, %d controls.\n",
				info.ID, info.Version, info.Name, info.Sections, info.Clauses, info.Controls)
			for _, n := range info.Notes {
				fmt.Fprintf(w, "Note: %s.\n", n)
			}
			if out != "" {
				fmt.Fprintf(w, "Wrote the isogap catalog file %s.\n", out)
			}
			fmt.Fprintf(w, "Start an assessment on it:\n  isogap --catalog %s@%s init --org \"Your organisation\"\n", info.ID, info.Version)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "also write the catalog as an isogap catalog file")
	return cmd
}

func newCatalogListCmd(c *cliApp) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the catalogs assessments can be made from",
		Long: `List the built-in catalog and every catalog stored with "isogap catalog
import": id, version, counts and name. Pass the id (or ID@VERSION) to --catalog.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			list, err := svc.Catalogs(cmd.Context(), c.me())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tVERSION\tSECTIONS\tCLAUSES\tCONTROLS\tNAME")
			for _, ci := range list {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", ci.ID, ci.Version, ci.Sections, ci.Clauses, ci.Controls, ci.Name)
			}
			return tw.Flush()
		},
	}
}
