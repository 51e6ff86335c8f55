package ifeval_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier/ifeval"
)

// NLTK 3.8's PunktSentenceTokenizer (English parameters) and word_tokenize
// on punctuation-heavy text: abbreviations, initials, ellipses spaced and
// not, clustered "!" and "?", quotes and brackets.
func TestNLTKFacts(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"[U.S.it's vs. Yes. he(IS\nwowYes.THISPh.D. ", []string{"[U.S.it's vs.", "Yes.", "he(IS\nwowYes.THISPh.D."}},
		{";ok\n! ?It IS ; 1.St.[ said! world    p.m.e.g. Dr. x.y.z. p.m.IS\nwww.site.com ", []string{";ok\n!", "?It IS ; 1.St.", "[ said!", "world    p.m.e.g.", "Dr. x.y.z.", "p.m.IS\nwww.site.com"}},
		{"Jan. b ", []string{"Jan. b"}},
		{"THIS They\nInc. She world 1. e.g. Ph.D.bthemail@x.org ", []string{"THIS They\nInc.", "She world 1. e.g.", "Ph.D.bthemail@x.org"}},
		{"cat [Hello\nsaidb. . .\n( St.U.S. a $5cat) No.\nvs. @user ", []string{"cat [Hello\nsaidb.", ".", ".", "( St.U.S.", "a $5cat) No.", "vs. @user"}},
		{"however Yes. etc. !Ph.D. C.It !!! *#tag Inc.\ngonna Dog;\nYes.\na Yes. [ “\nvs. Dr. ...\n", []string{"however Yes.", "etc.", "!Ph.D.", "C.It !", "!!", "*#tag Inc.\ngonna Dog;\nYes.", "a Yes.", "[ “\nvs. Dr. ..."}},
		{"They , 2) : , (\n: &ButIS ” wanna\nC. Inc. Inc. Dog ", []string{"They , 2) : , (\n: &ButIS ” wanna\nC. Inc. Inc. Dog"}},
		{"Inc. ; Jan. 1.\n” IS\n'2) ok Ph.D.\nB. [ ", []string{"Inc. ; Jan. 1.", "” IS\n'2) ok Ph.D.\nB.", "["}},
		{"...\nWe\n) ' gonna But\n“wanna St.3.5 ... “ world\n@user @user e.g.\n... ”Inc. ", []string{"...\nWe\n) ' gonna But\n“wanna St.3.5 ... “ world\n@user @user e.g.", "... ”Inc."}},
		{"” ] I'm\n@user ; ]\n2)gonna ", []string{"” ] I'm\n@user ; ]\n2)gonna"}},
		{"#tag She C.\ngonnaBut bwon't\nTHIS IS Mr. ( We ok", []string{"#tag She C.\ngonnaBut bwon't\nTHIS IS Mr. ( We ok"}},
		{"But . . . 1.\ncat b\n& 'tis 50% Hello\n\n ", []string{"But .", ".", ".", "1.\ncat b\n& 'tis 50% Hello"}},
		{"St. [ Mr.\ncat\nB. !!! , But\nit's- \" [\n\t $5\n2) said e.g.\t\nWecannot We end. a\n@user   ", []string{"St. [ Mr.\ncat\nB.", "!", "!!", ", But\nit's- \" [\n\t $5\n2) said e.g.", "Wecannot We end.", "a\n@user"}},
		{"world *\n\n\n okShe\n-- mail@x.org** 3.5 St.\n", []string{"world *\n\n\n okShe\n-- mail@x.org** 3.5 St."}},
		{"a We\ngonna B. ", []string{"a We\ngonna B."}},
		{"world !vs.\n(\n... \" We the : 50%\nhoweverInc.\nhowever however\nIt\n", []string{"world !vs.", "(\n... \" We the : 50%\nhoweverInc.", "however however\nIt"}},
		{"” ) wow -- 3.5 b heShe\nhe 2) vs. Jan. 50% ?! end. b ( . . .\n#tag C.\n", []string{"” ) wow -- 3.5 b heShe\nhe 2) vs. Jan. 50% ?", "!", "end.", "b ( .", ".", ".", "#tag C."}},
		{", No. ** [ ' vs. ", []string{", No.", "** [ ' vs."}},
		{"[St. ”\nShe $5 “x.y.z.\tC. C.\n(\t\n?\n\" No. can't I'm howeverThey won't b\n", []string{"[St. ”\nShe $5 “x.y.z.", "C. C.\n(\t\n?\n\"", "No.", "can't I'm howeverThey won't b"}},
		{"; ” p.m.\nTHIS\nworld p.m. vs. said I'm howeverb Dog e.g. wow it's wow,however “ ... 2) Inc.Inc.\n!!!( ", []string{"; ” p.m.", "THIS\nworld p.m. vs. said I'm howeverb Dog e.g.", "wow it's wow,however “ ... 2) Inc.Inc.", "!", "!!", "("}},
		{"#tag\nU.S. etc. \n\t\n[ Dogi.e.\t\n", []string{"#tag\nU.S. etc.", "[ Dogi.e."}},
		{": vs. Dog he ?2)\nThey Mr. No. ...\n[\ncan'tit's\n\n\n St. 3.5 ok cannot “\nHellothe the But It", []string{": vs. Dog he ?2)\nThey Mr. No.", "...\n[\ncan'tit's\n\n\n St. 3.5 ok cannot “\nHellothe the But It"}},
		{"U.S. 2)C. worldcat IS 1.\n", []string{"U.S. 2)C. worldcat IS 1."}},
		{"cannotDr.\n:\n] They A.\n?! She ok Ph.D. world She :\n$5 It ", []string{"cannotDr.", ":\n] They A.", "?", "!", "She ok Ph.D. world She :\n$5 It"}},
		{"www.site.com THIS--\nrock'n'roll \n\nwow\nThey www.site.com\n** Dr. x.y.z.IS\ne.g.Inc. C. vs.\nI'm ; ", []string{"www.site.com THIS--\nrock'n'roll \n\nwow\nThey www.site.com\n** Dr. x.y.z.IS\ne.g.Inc.", "C. vs.", "I'm ;"}},
		{"i.e. “The 3.5 Dog IS We aWhy? We It\ni.e. 3.5 @userhowever\n-\nTHISDog ", []string{"i.e.", "“The 3.5 Dog IS We aWhy?", "We It\ni.e.", "3.5 @userhowever\n-\nTHISDog"}},
		{"It x.y.z.\nWhy? vs. 3.5Dog\nB.?! ...? The\n$5 \" wow\n...\nmail@x.org\n", []string{"It x.y.z.", "Why?", "vs. 3.5Dog\nB.?!", "...?", "The\n$5 \" wow\n...\nmail@x.org"}},
		{"\" & ;\n' 2) (\n...1. cat50% www.site.com 'tis p.m.\ngonna She\" * it's ( !!!however\ncannot he ", []string{"\" & ;\n' 2) (\n...1. cat50% www.site.com 'tis p.m.\ngonna She\" * it's ( !", "!", "!however\ncannot he"}},
		{"mail@x.org & &\ncannot\n#tagcan'thowever 1. rock'n'roll p.m.\n; it's $5Why?\n\n\n ”www.site.com'tis\n\t ", []string{"mail@x.org & &\ncannot\n#tagcan'thowever 1. rock'n'roll p.m.\n; it's $5Why?", "”www.site.com'tis"}},
		{"No.\nNo. 1. C.it's A. )\n\t rock'n'roll wow rock'n'roll\nJan.\n", []string{"No.", "No.", "1.", "C.it's A. )", "rock'n'roll wow rock'n'roll\nJan."}},
	} {
		got := ifeval.Punkt(c.text)
		if len(c.want) == 0 {
			require.Empty(t, got, "%q", c.text)
			continue
		}
		require.Equal(t, c.want, got, "%q", c.text)
	}
	for _, c := range []struct {
		text string
		want []string
	}{
		{"-- Dr.\nC. Why? ?! I'm e.g.\n! 3.5\n", []string{"--", "Dr.", "C.", "Why", "?", "?", "!", "I", "'m", "e.g", ".", "!", "3.5"}},
		{"Mr. & a She C.\n:\n, it's 3.5 ”No!St. ;IS mail@x.org WeTHIS( Hello\np.m. ", []string{"Mr.", "&", "a", "She", "C.", ":", ",", "it", "'s", "3.5", "”", "No", "!", "St", ".", ";", "IS", "mail", "@", "x.org", "WeTHIS", "(", "Hello", "p.m", "."}},
		{"THISBut\n\t\n?!\n\n\n ;\nTheetc. Why?\na\nDog #tag\n", []string{"THISBut", "?", "!", ";", "Theetc", ".", "Why", "?", "a", "Dog", "#", "tag"}},
		{"p.m.\n@user e.g. \n\n\n1. Ph.D. :\ngonna\n", []string{"p.m.", "@", "user", "e.g", ".", "1", ".", "Ph.D.", ":", "gon", "na"}},
		{"3.5 ( Yes. !!! )\n-- ** won't\n. . . C. ... a 50% rock'n'rollwww.site.comb ", []string{"3.5", "(", "Yes", ".", "!", "!", "!", ")", "--", "*", "*", "won't", ".", ".", ".", "C.", "...", "a", "50", "%", "rock'n'rollwww.site.comb"}},
		{"? !!!,\np.m. Ph.D. No. wow ", []string{"?", "!", "!", "!", ",", "p.m.", "Ph.D.", "No", ".", "wow"}},
		{"rock'n'roll 'tis\n-   @user\n* www.site.com cannot it's 50% --\nwanna : : We I'm said Dr.\ngonna -1. ", []string{"rock'n'roll", "'t", "is", "-", "@", "user", "*", "www.site.com", "can", "not", "it", "'s", "50", "%", "--", "wan", "na", ":", ":", "We", "I", "'m", "said", "Dr.", "gon", "na", "-1", "."}},
		{"ok a\nMr.No!50% \t\nNASA end.however won't\ncat\nwow No.\nok A. TheBut\n\t", []string{"ok", "a", "Mr.No", "!", "50", "%", "NASA", "end.however", "won't", "cat", "wow", "No", ".", "ok", "A.", "TheBut"}},
		{"] U.S. end.\ncat They ", []string{"]", "U.S.", "end", ".", "cat", "They"}},
		{"@user A.\nIt 50%Mr. ", []string{"@", "user", "A", ".", "It", "50", "%", "Mr", "."}},
		{"* Helloetc. x.y.z. [however a vs. Why? ;Why? Yes. U.S. ", []string{"*", "Helloetc", ".", "x.y.z", ".", "[", "however", "a", "vs.", "Why", "?", ";", "Why", "?", "Yes", ".", "U.S", "."}},
		{"!!!!!!B. Dog ", []string{"!", "!", "!", "!", "!", "!", "B", ".", "Dog"}},
		{"--\nDr. the THIS A. I'm' world “No!\ngonna ”won't( ok\nWhy? I'm\nI'm\nwon't can't 50% ", []string{"--", "Dr.", "the", "THIS", "A.", "I", "'m", "'", "world", "“", "No", "!", "gon", "na", "”", "wo", "n't", "(", "ok", "Why", "?", "I'm", "I'm", "wo", "n't", "ca", "n't", "50", "%"}},
		{"the p.m.\n", []string{"the", "p.m", "."}},
		{"50% Jan.\nNASA e.g. A. ” www.site.com \" p.m. A. !!! A. a the\nx.y.z. \t A.\n: IS ( I'm Yes. It\" ...\n", []string{"50", "%", "Jan.", "NASA", "e.g", ".", "A", ".", "”", "www.site.com", "``", "p.m.", "A", ".", "!", "!", "!", "A.", "a", "the", "x.y.z", ".", "A.", ":", "IS", "(", "I", "'m", "Yes", ".", "It", "''", "..."}},
		{"I'm ] ;", []string{"I", "'m", "]", ";"}},
		{"however the world , No.\nend.\ne.g. world ", []string{"however", "the", "world", ",", "No", ".", "end", ".", "e.g", ".", "world"}},
		{"But\ngonna :\n$5\nwanna theSherock'n'roll mail@x.org\n50% wow !!! But St. :world&& Inc. ' vs.?!\n", []string{"But", "gon", "na", ":", "$", "5", "wan", "na", "theSherock'n'roll", "mail", "@", "x.org", "50", "%", "wow", "!", "!", "!", "But", "St.", ":", "world", "&", "&", "Inc.", "'", "vs.", "?", "!"}},
		{"\n\n Dog\nmail@x.org & *\n", []string{"Dog", "mail", "@", "x.org", "&", "*"}},
		{"?!\ncan't mail@x.org said\nNo! Inc.\nend.$5 @user\n\n    St. Inc. Yes. Ph.D.rock'n'roll\nJan. ", []string{"?", "!", "ca", "n't", "mail", "@", "x.org", "said", "No", "!", "Inc.", "end.", "$", "5", "@", "user", "St.", "Inc", ".", "Yes", ".", "Ph.D.rock'n'roll", "Jan", "."}},
	} {
		got := ifeval.WordTokenize(c.text)
		if len(c.want) == 0 {
			require.Empty(t, got, "%q", c.text)
			continue
		}
		require.Equal(t, c.want, got, "%q", c.text)
	}
}
