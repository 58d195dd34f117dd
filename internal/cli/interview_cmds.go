package cli

import (
	"fmt"
	"io"
	netmail "net/mail"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/interview"
	"github.com/isogap/isogap/internal/report"
)

const interviewLong = `Interviews: each stakeholder answers the questions of their own items — by an
invitation link (on a phone or a computer), or on a printed interview guide
whose answers the assessor types in afterwards. isogap suggests a score per
item from the answers; the assessor accepts it (which writes the score and
attaches the evidence through the same rules as every edit: versions,
conflicts, history), adjusts it, or returns a question with a note.

A typical run:

  isogap interview create ID --department HR --to "Jana Novak <jana@example.com>" --due 2027-01-31
  isogap interview send ID 1 --base-url https://isogap.example.com
  isogap interview list ID
  isogap interview remind ID --base-url https://isogap.example.com
  isogap interview show ID 1
  isogap interview accept ID 1 A.6.1            # the suggested score
  isogap interview return ID 1 A.6.1#2 --note "Which roles are screened?"

E-mail goes through the SMTP server of --smtp-url (or ISOGAP_SMTP_URL):
smtp://user:pass@host:587?from=isogap@example.com uses STARTTLS when offered,
smtps://…:465 TLS from the start. Without one the mails are printed here for
you to pass on. Links open GET /interview/TOKEN on the web app at --base-url
and expire at the due date plus 14 days; only their hash is stored.`

// interviewFlags are the flags every interview command shares.
type interviewFlags struct {
	smtpURL, baseURL string
}

func newInterviewCmd(c *cliApp) *cobra.Command {
	var f interviewFlags
	cmd := group(&cobra.Command{Use: "interview", Short: "Interview stakeholders by link or on paper", Long: interviewLong})
	cmd.PersistentFlags().StringVar(&f.smtpURL, "smtp-url", "", "SMTP server for the invitation mails (env ISOGAP_SMTP_URL); none: print them")
	cmd.PersistentFlags().StringVar(&f.baseURL, "base-url", "", "the web app's address, for the links (env ISOGAP_BASE_URL)")
	open := func(cmd *cobra.Command) (*app.Service, error) {
		if err := c.setMailer(cmd, f.smtpURL); err != nil {
			return nil, err
		}
		if f.baseURL == "" {
			f.baseURL = c.env.Getenv("ISOGAP_BASE_URL")
		}
		return c.service(cmd.Context())
	}
	cmd.AddCommand(newInterviewCreateCmd(c, open), newInterviewListCmd(c, open), newInterviewShowCmd(c, open),
		newInterviewSendCmd(c, open, &f, false), newInterviewSendCmd(c, open, &f, true), newInterviewRevokeCmd(c, open),
		newInterviewAnswerCmd(c, open), newInterviewAcceptCmd(c, open), newInterviewReturnCmd(c, open), newInterviewPackCmd(c, open))
	return cmd
}

type opener func(cmd *cobra.Command) (*app.Service, error)

// interview reads the interview number iid, then opens the service: a
// mistyped number is a usage error before any database is opened.
func (open opener) interview(cmd *cobra.Command, iid string) (*app.Service, int64, error) {
	n, err := parseIID(iid)
	if err != nil {
		return nil, 0, err
	}
	svc, err := open(cmd)
	return svc, n, err
}

func parseIID(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 1 {
		return 0, usagef("interview %q: want the interview's number, as \"isogap interview list\" shows it", s)
	}
	return n, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, p)
	}
	return out
}

func newInterviewCreateCmd(c *cliApp, open opener) *cobra.Command {
	var to, dept, refs, add, remove, due string
	var confirm bool
	cmd := &cobra.Command{
		Use:   "create ID --to \"NAME <EMAIL>\" [--department D] [--refs …] [--due YYYY-MM-DD]",
		Short: "Start an interview (a draft; send it with \"interview send\")",
		Long: `Start an interview. It covers the items of --department (their department in
the assessment) unless --refs names them; --add and --remove change that list.`,
		Example: `  isogap interview create ID --department HR --to "Jana Novak <jana@example.com>" --due 2027-01-31
  isogap interview create ID --to "Sam Lee <sam@example.com>" --refs A.8.13,A.8.15 --confirm-email`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := netmail.ParseAddress(to)
			if err != nil {
				return usagef("--to %q: want \"Name <name@example.com>\"", to)
			}
			d, err := assess.ParseDate(due)
			if err != nil {
				return usagef("--due %q: %v", due, err)
			}
			svc, err := open(cmd)
			if err != nil {
				return err
			}
			iv, err := svc.CreateInterview(cmd.Context(), c.me(), args[0], app.NewInterview{Name: addr.Name, Email: addr.Address, Department: dept,
				Refs: splitList(refs), AddRefs: splitList(add), RemoveRefs: splitList(remove), Due: d, ConfirmEmail: confirm})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "interview %d for %s <%s>: %d items, %d questions (draft: send it with \"isogap interview send %s %d\")\n",
				iv.ID, iv.Name, iv.Email, len(iv.Refs), iv.Total, args[0], iv.ID)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&to, "to", "", `the interviewee: "Name <email>" (required)`)
	fl.StringVar(&dept, "department", "", "their department; its items are the interview's unless --refs is given")
	fl.StringVar(&refs, "refs", "", "the items, comma separated (instead of the department's)")
	fl.StringVar(&add, "add", "", "items to add, comma separated")
	fl.StringVar(&remove, "remove", "", "items to leave out, comma separated")
	fl.StringVar(&due, "due", "", "due date, YYYY-MM-DD")
	fl.BoolVar(&confirm, "confirm-email", false, "the link asks for the e-mail address on first use")
	cmd.MarkFlagRequired("to")
	return cmd
}

func newInterviewListCmd(c *cliApp, open opener) *cobra.Command {
	return &cobra.Command{
		Use:   "list ID",
		Short: "List an assessment's interviews with their progress",
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := open(cmd)
			if err != nil {
				return err
			}
			list, err := svc.Interviews(cmd.Context(), c.me(), args[0])
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "#\tINTERVIEWEE\tDEPARTMENT\tSTATE\tANSWERED\tDUE\tNOTE")
			for _, iv := range list {
				note := ""
				switch {
				case iv.Overdue:
					note = "overdue"
				case iv.Returned > 0:
					note = fmt.Sprintf("%d returned", iv.Returned)
				}
				fmt.Fprintf(w, "%d\t%s <%s>\t%s\t%s\t%d/%d\t%s\t%s\n", iv.ID, iv.Name, iv.Email, iv.Department, iv.State.Label(),
					iv.Answered, iv.Total, iv.Due, note)
			}
			return w.Flush()
		},
	}
}

func newInterviewShowCmd(c *cliApp, open opener) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID IID",
		Short: "Show an interview's answers, evidence and suggested scores",
		Args:  exactArgs("ID", "IID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, iid, err := open.interview(cmd, args[1])
			if err != nil {
				return err
			}
			v, err := svc.Interview(cmd.Context(), c.me(), args[0], iid)
			if err != nil {
				return err
			}
			printInterview(cmd.OutOrStdout(), v)
			return nil
		},
	}
}

func printInterview(w io.Writer, v app.InterviewView) {
	fmt.Fprintf(w, "Interview %d: %s <%s>, %s\nState: %s · %d/%d answered", v.ID, v.Name, v.Email, orDash(v.Department), v.State.Label(), v.Answered, v.Total)
	if !v.Due.IsZero() {
		fmt.Fprintf(w, " · due %s", v.Due)
	}
	if v.Overdue {
		fmt.Fprint(w, " · OVERDUE")
	}
	fmt.Fprintln(w)
	for _, it := range v.Items {
		fmt.Fprintf(w, "\n%s %s\n", it.Ref, it.Title)
		for _, q := range it.Questions {
			fmt.Fprintf(w, "  %s  %s\n      %s", q.ID, q.Text, q.Answer.Label())
			if q.Comment != "" {
				fmt.Fprintf(w, " — %s", q.Comment)
			}
			if q.By != "" {
				fmt.Fprintf(w, "  (%s)", q.By)
			}
			fmt.Fprintln(w)
			for _, ev := range q.Evidence {
				fmt.Fprintf(w, "      evidence %d: %s\n", ev.ID, ev.Summary())
			}
			for _, n := range q.Notes {
				fmt.Fprintf(w, "      returned by %s: %s\n", n.By, n.Text)
			}
		}
		if it.Current != nil {
			fmt.Fprintf(w, "  Current score: %s (version %d)", scoreOrNone(it.Current.Score), it.Current.Version)
			if it.Suggestion.Score > 0 {
				fmt.Fprintf(w, " · suggested: %d", it.Suggestion.Score)
			}
			if it.Suggestion.FollowUp {
				fmt.Fprint(w, " · follow up")
			}
			if it.Decision != nil {
				fmt.Fprintf(w, " · accepted %d by %s", it.Decision.Score, it.Decision.By)
			}
			fmt.Fprintln(w)
			for _, r := range it.Suggestion.Reasons {
				fmt.Fprintf(w, "    %s\n", r)
			}
		}
	}
}

func scoreOrNone(s assess.Score) string {
	if s == assess.Unassessed {
		return "not assessed"
	}
	return strconv.Itoa(int(s))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func newInterviewSendCmd(c *cliApp, open opener, f *interviewFlags, remind bool) *cobra.Command {
	use, short, args := "send ID IID", "Send the invitation (a new link; the previous one stops working)", exactArgs("ID", "IID")
	if remind {
		use, short, args = "remind ID", "Remind everyone who has not submitted (each gets a new link)", exactArgs("ID")
	}
	return &cobra.Command{
		Use: use + " --base-url URL", Short: short, Args: args,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := open(cmd)
			if err != nil {
				return err
			}
			var sent []app.SentInterview
			if remind {
				sent, err = svc.RemindInterviews(cmd.Context(), c.me(), args[0], f.baseURL)
			} else {
				iid, perr := parseIID(args[1])
				if perr != nil {
					return perr
				}
				var one app.SentInterview
				one, err = svc.SendInterview(cmd.Context(), c.me(), args[0], iid, f.baseURL)
				sent = append(sent, one)
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			var failed []string
			for _, s := range sent {
				fmt.Fprintf(out, "interview %d, %s <%s>: link %s (works until %s)\n", s.Interview.ID, s.Interview.Name, s.Interview.Email,
					s.Link, s.Interview.LinkExpires.Format("2006-01-02 15:04 MST"))
				if s.MailError != nil {
					failed = append(failed, fmt.Sprintf("interview %d: %v", s.Interview.ID, s.MailError))
				}
			}
			if remind && len(sent) == 0 {
				fmt.Fprintln(out, "no interview waits for answers: nothing to remind")
			}
			if len(failed) > 0 {
				return fmt.Errorf("the mail did not go out (pass the link above on yourself):\n  %s", strings.Join(failed, "\n  "))
			}
			return nil
		},
	}
}

func newInterviewRevokeCmd(c *cliApp, open opener) *cobra.Command {
	return &cobra.Command{
		Use: "revoke ID IID", Short: "Withdraw an interview: its link and sessions stop at once", Args: exactArgs("ID", "IID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, iid, err := open.interview(cmd, args[1])
			if err != nil {
				return err
			}
			iv, err := svc.RevokeInterview(cmd.Context(), c.me(), args[0], iid)
			if err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "interview %d is %s\n", iv.ID, strings.ToLower(iv.State.Label()))
			}
			return err
		},
	}
}

func newInterviewAnswerCmd(c *cliApp, open opener) *cobra.Command {
	var comment string
	var revision int
	var submit bool
	cmd := &cobra.Command{
		Use:   "answer ID IID QUESTION ANSWER [--comment TEXT]",
		Short: "Type in an answer given on paper (or in a meeting)",
		Long: `Type in an answer given on paper or in a meeting. QUESTION is a question id
("A.6.1#2", printed in the interview guide); ANSWER is yes, partly, no,
dont_know or not_applicable. --submit sends the interview in afterwards.`,
		Example: `  isogap interview answer ID 1 A.6.1#1 yes --comment "Background checks by the agency"
  isogap interview answer ID 1 A.6.1#2 partly --comment "Contractors from Q3" --submit`,
		Args: exactArgs("ID", "IID", "QUESTION", "ANSWER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			iid, err := parseIID(args[1])
			if err != nil {
				return err
			}
			kind, err := interview.ParseKind(args[3])
			if err != nil || kind == interview.Unanswered {
				return usagef("answer %q: want yes, partly, no, dont_know or not_applicable", args[3])
			}
			svc, err := open(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if !cmd.Flags().Changed("revision") {
				// Typed from paper: on top of whatever is there, the history keeps it.
				v, err := svc.Interview(ctx, c.me(), args[0], iid)
				if err != nil {
					return err
				}
				for _, it := range v.Items {
					for _, q := range it.Questions {
						if q.ID == args[2] {
							revision = q.Revision
						}
					}
				}
			}
			q, err := svc.AnswerQuestion(ctx, c.me(), args[0], iid, app.AnswerInput{QuestionID: args[2], Kind: kind, Comment: comment, BaseRevision: revision})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s (revision %d)\n", q.ID, q.Answer.Label(), q.Revision)
			if submit {
				iv, err := svc.SubmitInterview(ctx, c.me(), args[0], iid)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "interview %d is %s\n", iv.ID, strings.ToLower(iv.State.Label()))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&comment, "comment", "", "the comment (on Partly or No: what is planned, and by when)")
	cmd.Flags().IntVar(&revision, "revision", 0, "the answer's revision you saw (\"interview show\"); a newer answer is then a conflict")
	cmd.Flags().BoolVar(&submit, "submit", false, "send the interview in after this answer")
	return cmd
}

func newInterviewAcceptCmd(c *cliApp, open opener) *cobra.Command {
	var score string
	var version int
	var noEvidence bool
	cmd := &cobra.Command{
		Use:   "accept ID IID REF [--score N]",
		Short: "Write an item's score from a submitted interview",
		Long: `Write an item's score from a submitted interview: the suggested score, or
--score to adjust it, and the evidence given with the answers. It goes through
the same rules as "isogap set": --version N is the item version you reviewed,
and a score changed since is refused as a conflict.`,
		Args: exactArgs("ID", "IID", "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			iid, err := parseIID(args[1])
			if err != nil {
				return err
			}
			in := app.AcceptInput{Ref: args[2], BaseVersion: version, AttachEvidence: !noEvidence}
			if score != "" {
				if in.Score, err = assess.ParseScore(score); err != nil || in.Score == assess.Unassessed {
					return usagef("--score %q: want 1 to 5", score)
				}
			}
			svc, err := open(cmd)
			if err != nil {
				return err
			}
			it, err := svc.AcceptInterviewItem(cmd.Context(), c.me(), args[0], iid, in)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: score %d, %d evidence, version %d\n", it.Ref, it.Score, len(it.Evidence), it.Version)
			return nil
		},
	}
	cmd.Flags().StringVar(&score, "score", "", "the score to write instead of the suggestion (1–5)")
	cmd.Flags().IntVar(&version, "version", 0, "the item version you reviewed")
	cmd.Flags().BoolVar(&noEvidence, "no-evidence", false, "do not attach the answers' evidence to the item")
	return cmd
}

func newInterviewReturnCmd(c *cliApp, open opener) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "return ID IID QUESTION --note TEXT",
		Short: "Send a question back to the interviewee with a note",
		Args:  exactArgs("ID", "IID", "QUESTION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, iid, err := open.interview(cmd, args[1])
			if err != nil {
				return err
			}
			iv, err := svc.ReturnQuestions(cmd.Context(), c.me(), args[0], iid, []app.ReturnInput{{QuestionID: args[2], Note: note}})
			if err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "interview %d is %s: %d question(s) returned\n", iv.ID, strings.ToLower(iv.State.Label()), iv.Returned)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "what to look at again (required)")
	cmd.MarkFlagRequired("note")
	return cmd
}

func newInterviewPackCmd(c *cliApp, open opener) *cobra.Command {
	var dept, out, iidText string
	cmd := &cobra.Command{
		Use:   "pack ID (--department D | --interview IID) -o FILE.pdf",
		Short: "Print an interview guide (PDF) for a department or an interview",
		Long: `Write a printable interview guide: a cover with the scope and the interviewee,
the 1–5 scale, then per item its questions (with their ids) and answer boxes,
and the evidence to bring. Type the answers in afterwards with
"isogap interview answer".`,
		Example: `  isogap interview pack ID --department HR -o hr-interview.pdf
  isogap interview pack ID --interview 1 -o jana.pdf`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (dept == "") == (iidText == "") {
				return usagef("give --department or --interview, one of them")
			}
			svc, err := open(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			v, _, err := svc.View(ctx, c.me(), args[0])
			if err != nil {
				return err
			}
			in := report.PackInput{Catalog: v.Catalog, Assessment: v.Assessment, Department: dept, Assessor: v.Assessment.Lead, Date: svc.Now()}
			if iidText != "" {
				iid, err := parseIID(iidText)
				if err != nil {
					return err
				}
				iv, err := svc.Interview(ctx, c.me(), args[0], iid)
				if err != nil {
					return err
				}
				in.Interviewee = assess.Stakeholder{Name: iv.Name, Email: iv.Email, Department: iv.Department}
				in.Due = iv.Due
				for _, ref := range iv.Refs {
					if it, ok := v.Item(ref); ok {
						in.Items = append(in.Items, it)
					}
				}
			} else if in.Items = report.DepartmentItems(v.Items, dept); len(in.Items) == 0 {
				return assess.Errorf(assess.KindInvalid, "--department %q: no item of the assessment has this department", dept)
			}
			f, err := os.Create(c.path(out))
			if err != nil {
				return err
			}
			if err := report.WriteInterviewPack(f, in); err != nil {
				f.Close()
				os.Remove(c.path(out))
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d items\n", out, len(in.Items))
			return nil
		},
	}
	cmd.Flags().StringVar(&dept, "department", "", "the department whose items the guide covers")
	cmd.Flags().StringVar(&iidText, "interview", "", "the interview whose items and interviewee the guide shows")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the PDF file to write (required)")
	cmd.MarkFlagRequired("output")
	return cmd
}
