package web

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// formerRow is the matrix row's template as it stood before the row was
// written in Go, with the layout's "score" and "status" templates it
// called. html/template's escaping of it is the reference appendRow must
// match byte for byte.
const formerRow = `{{define "score"}}<span class="score s{{int .}}" title="{{.Label}}">{{scoreText .}}</span>{{end}}
{{- define "status"}}{{if not .Status.Applicable}}<span class="tag">Not applicable</span>{{else}}<span class="stat s{{int .Status.Effective}}">{{.Status.Status}}</span>{{if .Status.Unevidenced5}} <span class="tag warn" title="A 5 without evidence counts as 4">no evidence</span>{{end}}{{if .Overdue}} <span class="tag bad">overdue</span>{{end}}{{end}}{{end}}
{{- define "rowinner"}}<tr id="row-{{.Ref}}"{{with .Class}} class="{{.}}"{{end}}>
<th scope="row"><a href="items/{{.Ref}}">{{.Ref}}</a></th>
<td class="wide"><a href="items/{{.Ref}}" class="title">{{.Cat.Title}}</a>
{{- with .Question}}<p class="question">{{.}}</p>{{end}}
{{- with .More}}<a href="items/{{$.Ref}}" class="more">{{.}} more question{{if gt . 1}}s{{end}}, typical evidence</a>{{end}}
{{- with .Error}}<p class="err" role="alert">{{.}}</p>{{end}}</td>
<td>{{.Item.Department}}</td>
{{if .Edit -}}
<td><select id="score-{{.Ref}}" name="score" form="{{.Form}}" class="scoresel" aria-label="Score of {{.Ref}}">{{.ScoreOptions}}</select></td>
<td><input id="owner-{{.Ref}}" name="owner" form="{{.Form}}" value="{{.Item.Owner}}" list="people" size="12" aria-label="Owner of {{.Ref}}"></td>
<td><select id="priority-{{.Ref}}" name="priority" form="{{.Form}}" aria-label="Priority of {{.Ref}}">{{.PriorityOptions}}</select></td>
<td><input id="target-{{.Ref}}" name="target_date" type="date" form="{{.Form}}" value="{{.Item.TargetDate}}" aria-label="Target date of {{.Ref}}"></td>
<td class="st">{{template "status" .}}<form id="{{.Form}}" method="post" action="matrix/{{.Ref}}" data-inline>
<input type="hidden" name="version" value="{{.Item.Version}}"><input type="hidden" name="return" value="{{.Return}}">
<input type="hidden" name="was_score" value="{{.WasScore}}"><input type="hidden" name="was_owner" value="{{.Item.Owner}}">
<input type="hidden" name="was_priority" value="{{.Item.Priority}}"><input type="hidden" name="was_target_date" value="{{.Item.TargetDate}}">
<button class="small" aria-label="Save {{.Ref}}">Save</button></form></td>
{{- else -}}
<td>{{template "score" .Item.Score}}</td><td>{{.Item.Owner}}</td><td>{{.Item.Priority}}</td><td>{{.Item.TargetDate}}</td>
<td class="st">{{template "status" .}}</td>
{{- end}}
</tr>
{{end}}`

var formerRowTemplate = template.Must(template.New("").Funcs(template.FuncMap{
	"int": func(s assess.Score) int { return int(s) },
	"scoreText": func(s assess.Score) string {
		if !s.Assessed() {
			return "–"
		}
		return fmt.Sprint(int(s))
	},
}).Parse(formerRow))

func checkRowAsTemplate(t *testing.T, r matrixRow) {
	t.Helper()
	var want bytes.Buffer
	if err := formerRowTemplate.ExecuteTemplate(&want, "rowinner", r); err != nil {
		t.Fatal(err)
	}
	if got := string(appendRow(nil, &r)); got != want.String() {
		t.Fatalf("row differs from its template's\n got: %q\nwant: %q", got, want.String())
	}
}

// rowWith is a row built the way Server.row builds one, from the strings
// and numbers a fuzzer varies.
func rowWith(opts rowOptions, ref, title, question, dept, owner, priority, ret, errText, status string, score, effective, more, version int, flags uint8) matrixRow {
	it := assess.Item{Ref: ref, Department: dept, Owner: owner, Priority: assess.Priority(priority), Score: assess.Score(score), Version: version}
	if flags&1 != 0 {
		it.TargetDate = assess.NewDate(2027, 3, 31)
	}
	r := matrixRow{Item: it, Cat: catalog.Item{Ref: ref, Title: title}, Ref: ref, Form: "f-" + ref, Return: ret, Question: question,
		More: more, Error: errText, Edit: flags&2 != 0, Overdue: flags&4 != 0,
		Status: assess.ItemStatus{Applicable: flags&8 != 0, Unevidenced5: flags&16 != 0, Effective: assess.Score(effective), Status: status}}
	if !r.Status.Applicable {
		r.Class = "na"
	}
	if r.Overdue {
		r.Class += " overdue"
	}
	if it.Score.Assessed() {
		r.WasScore = strconv.Itoa(score)
	}
	r.ScoreOptions, r.PriorityOptions = opts.score[max(0, min(5, score))], opts.priority[it.Priority.Rank()]
	return r
}

// The row written in Go is the row its former template wrote, in every
// state a row can be in, with text that needs escaping in every place.
func TestRowAsTemplate(t *testing.T) {
	opts := buildRowOptions()
	hostile := []string{"", "A.5.1", `<script>alert("x")</script>`, `a&b+c'd"e`, "\x00nul", "ünïcode – ✓", "\xff\xfe bad utf-8",
		"100% sure %41 %zz %4", "a b/c?d=e&f#g", "[x]@y:z;w,v*u$t!s~r_q-p.o", "`back` =eq {braces} |pipe| \\ ^", "\t\n\r"}
	for flags := range uint8(32) {
		for score := 0; score <= 5; score++ {
			for more := 0; more <= 2; more++ {
				for i, s := range hostile {
					o := hostile[(i+1)%len(hostile)]
					checkRowAsTemplate(t, rowWith(opts, s, o, s, o, s, string(assess.Priorities[score%len(assess.Priorities)]), "/a/x/matrix?q="+s,
						s, "Partially "+o, score, max(0, score-1), more, 1+score*7, flags))
					checkRowAsTemplate(t, rowWith(opts, "A.5."+o, s, "", s, o, s, s, "", s, score, score, more, 0, flags))
				}
			}
		}
	}
}

func FuzzRowAsTemplate(f *testing.F) {
	opts := buildRowOptions()
	f.Add("A.5.1", "Policies", "Is there a policy?", "IT", "Alice", "High", "/a/x/matrix", "", "Largely", 3, 3, 2, 4, uint8(15))
	f.Add(`"><x>`, "&+'", "%zz%41", "\x00", "\xff", "Low", "a b", "bad <b>", "<i>", 5, 4, 1, 1, uint8(31))
	f.Fuzz(func(t *testing.T, ref, title, question, dept, owner, priority, ret, errText, status string, score, effective, more, version int, flags uint8) {
		score, effective = max(0, min(5, score)), max(0, min(5, effective))
		checkRowAsTemplate(t, rowWith(opts, ref, title, question, dept, owner, priority, ret, errText, status, score, effective, more, version, flags))
	})
}
