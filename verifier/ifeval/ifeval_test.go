package ifeval_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier/ifeval"
)

type kw = map[string]any

func check(t *testing.T, id string, args kw, response string) bool {
	t.Helper()
	in, err := ifeval.New(id, args)
	require.NoError(t, err, "%s %v", id, args)
	ok, err := in.Check(response)
	require.NoError(t, err)
	return ok
}

func TestIDs(t *testing.T) {
	ids := ifeval.IDs()
	require.Len(t, ids, 54)
	require.Contains(t, ids, "detectable_format:title")
	require.Contains(t, ids, "keywords:start_end")
	args, ok := ifeval.Args("length_constraints:nth_paragraph_first_word")
	require.True(t, ok)
	require.Equal(t, []string{"num_paragraphs", "nth_paragraph", "first_word"}, args)
}

// The cases of IFEval's instructions_test.py for the checkers that
// verifiable_instructions keeps (the messages are indented as there).
func TestIFEvalCases(t *testing.T) {
	bullets1 := "\n  A Markdown bullet point is a way of formatting text to create a list. To\n  create a bullet point, start each line with an asterisk (*). For example:\n  * This is a bullet point.\n  *(no space required)Another bullet point.\n  * (no newline ending required)Another bullet point.\n  markdown bullet points are often used to create to-do lists or to list items\n  in a step-by-step guide."
	bullets2 := "\n  Check that inline asterisk (*), *, will not be counted. Only * that starts a\n  bullet list will be counted:\n    * This is a bullet point.\n    * Another bullet point.\n    . dot is not counted"
	bullets3 := "\n  Here are three bullets starting with asterisk:\n  * I am a large language model, also known as a conversational AI.\n  * I am trained on a massive amount of text data, and I am able to communicate.\n  * I am still under development, but I am learning new things every day."
	bullets4 := "\n  Here are three markdown bullets:\n  - I am a large language model, also known as a conversational AI.\n  - I am trained on a massive amount of text data, and I am able to communicate.\n  -I am still under development, but I am learning new things every day."
	bullets5 := "\n  Paragraph 1\n  ***\n  Paragraph 2\n  ***\n  Paragraph 3\n  * only one bullet point\n  "
	hl1 := "\n  To highlight text with Markdown, you can use the * character before and after\n  the text you want to highlight. For example, if you want to highlight the\n  word `hello`, you would type:*hello*, You can also use the ** character to\n  create bold text. For example, if you want to bold the word `hello`, you\n  would type: **hello** "
	hl2 := "\n  Sure, here are the numerical methods for solving partial differential\n  equations highlighted with Markdown:\n  *Finite difference methods\n  *Finite element methods*\n  *Boundary element methods\n  *Monte Carlo methods\n  I hope this helps!"
	hl3 := "\n  There is allowed to be *two different* highlighted *sections in the same*\n  line. **This is also true** for **double markdown highlights.**\n  "
	sec1 := "\n  Your response must have multiple sections. Mark the beginning of each section\n  with \"Section X\", such as:\n  Section 1\n  [content of section 1]\n  Section 2\n  [content of section 2]"
	sec2 := "SECTION 1\n  [content of section 1]\n  SECTION 2\n  [content of section 2]"
	par1 := "\n  paragraph 1\n  ***\n  paragraph 2\n  ***\n  paragraph 3"
	par2 := "\n          ***\n  paragraph 1\n          ***\n      paragraph 2\n          ***\n      paragraph 3"
	par3 := "\n  paragraph 1\n          ***\n      paragraph 2\n          ***\n      paragraph 3\n          ***"
	par4 := "\n  paragraph 1\n          ***\n      paragraph 2\n          ***\n          ***"
	ps1 := "\n  I will do my best to follow your instructions and always start my responses\n  with \"My response is:\". I will try to be as consistent as possible, but\n  please be patient with me if I make a mistake. I am still under development,\n  and I am always learning new things.\n\n  P.S. I hope this is what you were looking for."
	ps2 := "\n  Sure, here is my response with a postscript starting with P.P.S.:\n\n  My response is: I hope this answers your question.\n\n  P.P.S. I am always happy to answer any other questions you may have.\n\n  Do you have any other questions for me?"
	ps3 := "\n  The radius of a unit circle is 1. However, I can give you a funny and wrong\n  answer: the radius of a unit circle is 0. This is because a unit circle is a\n  circle with a radius of 1, and if the radius is 0, then the circle has no\n  size and is just a point. (not starting a new line) P.S. I hope you enjoyed\n  my joke!"
	ps4 := "\n  If the length of a square is one, the area of the square will also be one.\n  p.p.s what if the entire response was lower case letters?\n  "
	ps5 := "\n  The mysteries of space and time are mysterious.\n  P. S. Sometimes there are even spaces between P. and S..\n  "
	kw1 := "\n  Paris is a city of beauty and romance. The romantic river Seine winds its way\n  through the city, past iconic landmarks like the Eiffel Tower and the Louvre\n  Museum, where the Mona Lisa resides. Whether you're taking a boat cruise down\n  the river or simply strolling along the banks, you're sure to be captivated\n  by the city's charm."
	kw2 := "\n  Paris is a city of beauty, romance, and history. It is home to some of the\n  most iconic landmarks in the world, including the Eiffel Tower, the Louvre\n  Museum, and the Notre Dame Cathedral. The city is also known for its romantic\n  river cruises, its delicious food, and its stylish people.\n  "
	freq1 := "\n  keyword, Keyword, KEYWORD\n  "
	freq2 := "\n    *keyword\n    *Keyword\n    *KEYWORD\n  "
	words1 := "\n  d3sCRi7 lArge lAnguagE M0del w1tH 20 w0RdS."
	words2 := "\n  L4RGE L4NGU4GE M0DEL: AI syst3m th4t und3rstands, g3n3r4tes, or tr4nsforms\n  l4ngu4g3 b4s3d on pr3vious l3arning & d4t4."
	pfw1 := "\n  paragraph 1\n\n  I paragraph 2\n\n  paragraph 3"
	pfw2 := "\n  paragraph 1\n\n  I paragraph 2"
	pfw3 := "\n  paragraph 1\n\n  fail paragraph 2\n\n  paragraph 3"
	pfw4 := "\n  Wow this is a very long response.\n\n  I can't believe there is more than three paragraphs.\n\n  Really more than three? No way!\n\n  I can't believe it but I guess I am living proof.\n\n  Haha, you go that right."
	pfw5 := "\n  Wow this is a very long response.\n\n  I can't believe there is more than three paragraphs.\n\n  \"Really?! more than three? No way!\"\n\n  I can't believe it but I guess I am living proof.\n\n  Haha, you go that right."
	pfw6 := "\n  Wow this is a very long response.\n\n  I can't believe there is more than three paragraphs.\n\n  Rea!lly more than three? No way!\n\n  I can't believe it but I guess I am living proof.\n\n  Haha, you go that right."
	fw1 := "\n  The Nazis came to power in 1933 through a combination of legal and illegal\n  means. Hitler was appointed chancellor by President Paul von Hindenburg, and\n  the Nazis quickly consolidated their power by passing a series of laws that\n  restricted the rights of opposition parties and individuals. By 1934, Hitler\n  had become dictator of Germany.\n  "
	fw2 := "\n  Dinosaurs were a diverse group of reptiles that dominated the Earth for over\n  160 million years. They came in all shapes and sizes, from the tiny\n  Compsognathus to the massive Argentinosaurus. Dinosaurs were the most\n  successful land animals on Earth until they went extinct about 66 million\n  years ago. The exact cause of their extinction is still unknown, but it\n  is thought to have been a combination of factors, including an asteroid\n  impact and climate change.\n  "
	fw3 := "\n  GPT, or Generative Pre-trained Transformer, is a family of neural network\n  models that uses the transformer architecture. GPT models are trained on a\n  massive dataset of text and code, and can be used for a variety of tasks,\n  including text generation, translation, and question answering. GPT models\n  have been shown to be very effective at these tasks, and are being used by\n  a variety of companies and organizations like Google.\n  "
	two1 := "\n  This is response 1.\n  ******\n  This is response 2.\n  "
	two2 := "\n  This is response 1.\n  ******\n  This is response 1.\n  "
	two3 := "\n  This is response 1.\n  ******\n  This is response 2.\n  ******\n  This is response 3.\n  "
	two4 := "\n  ******\n  Response 1.\n  ******\n  ******\n  Response 2.\n  ******\n  "
	two5 := "\n  ******\n  Response 1\n  ******\n  Response 2\n  ******\n  "
	for _, c := range []struct {
		id   string
		args kw
		text string
		want bool
	}{
		{"language:response_language", kw{"language": "en"}, "The response is English", true},
		{"language:response_language", kw{"language": "es"}, "Desayunamos en McDonald's hoy", true},
		{"language:response_language", kw{"language": "en"}, "Today we visit the Louvre", true},
		{"length_constraints:number_sentences", kw{"relation": "less than", "num_sentences": 4}, "xx,x. xx,x! xx/x. x{x}x?", false},
		{"length_constraints:number_sentences", kw{"relation": "less than", "num_sentences": 5}, "xxxx. xx,x! xxxx. x(x)x?", true},
		{"length_constraints:number_sentences", kw{"relation": "at least", "num_sentences": 4}, "xxxx. xx,x! xx|x. x&x x?", true},
		{"length_constraints:number_sentences", kw{"relation": "at least", "num_sentences": 5}, "xx-x. xx,x! xx}x. x,xx?", false},
		{"detectable_content:number_placeholders", kw{"num_placeholders": 5}, "Sure, here is a short template with 5 placeholders:\n[Name]\n[Email]\n[Phone]\n[Address]\n[Website]\nThis template can be used for a variety of purposes, such ascreating a contact list, sending out surveys, or creating a sign-up form.", true},
		{"detectable_content:number_placeholders", kw{"num_placeholders": 7}, "My [adjective] [noun] is [adjective] [noun]. I [verb] and [verb].", false},
		{"detectable_format:number_bullet_lists", kw{"num_bullets": 3}, bullets1, true},
		{"detectable_format:number_bullet_lists", kw{"num_bullets": 2}, bullets2, true},
		{"detectable_format:number_bullet_lists", kw{"num_bullets": 3}, bullets3, true},
		{"detectable_format:number_bullet_lists", kw{"num_bullets": 3}, bullets4, true},
		{"detectable_format:number_bullet_lists", kw{"num_bullets": 1}, bullets5, true},
		{"detectable_format:constrained_response", nil, "\n My answer is no.\n", true},
		{"detectable_format:constrained_response", nil, "My answer is no.   ", true},
		{"detectable_format:constrained_response", nil, "\n  My answer is no. I am still under development and I am always learning and\n  improving.", true},
		{"detectable_format:number_highlighted_sections", kw{"num_highlights": 2}, hl1, true},
		{"detectable_format:number_highlighted_sections", kw{"num_highlights": 2}, hl2, false},
		{"detectable_format:number_highlighted_sections", kw{"num_highlights": 4}, hl3, true},
		{"detectable_format:multiple_sections", kw{"section_spliter": "Section", "num_sections": 3}, sec1, false},
		{"detectable_format:multiple_sections", kw{"section_spliter": "SECTION", "num_sections": 2}, sec2, true},
		{"length_constraints:number_paragraphs", kw{"num_paragraphs": 3}, par1, true},
		{"length_constraints:number_paragraphs", kw{"num_paragraphs": 3}, par2, true},
		{"length_constraints:number_paragraphs", kw{"num_paragraphs": 3}, par3, true},
		{"length_constraints:number_paragraphs", kw{"num_paragraphs": 2}, par4, false},
		{"detectable_content:postscript", kw{"postscript_marker": "P.S."}, ps1, true},
		{"detectable_content:postscript", kw{"postscript_marker": "PS:"}, ps1, false},
		{"detectable_content:postscript", kw{"postscript_marker": "P.P.S"}, ps2, true},
		{"detectable_content:postscript", kw{"postscript_marker": "P.S."}, ps3, true},
		{"detectable_content:postscript", kw{"postscript_marker": "P.P.S"}, ps4, true},
		{"detectable_content:postscript", kw{"postscript_marker": "P.S."}, ps5, true},
		{"keywords:existence", kw{"keywords": []any{"romantic", "river", "Mona Lisa"}}, kw1, true},
		{"keywords:existence", kw{"keywords": []any{"romantic", "river", "Mona Lisa"}}, kw2, false},
		{"keywords:frequency", kw{"keyword": "  keyword ", "frequency": 4, "relation": "less than"}, freq1, true},
		{"keywords:frequency", kw{"keyword": "  keyword ", "frequency": 3, "relation": "at least"}, freq1, true},
		{"keywords:frequency", kw{"keyword": "KEYWORD", "frequency": 4, "relation": "at least"}, freq2, false},
		{"length_constraints:number_words", kw{"num_words": 8, "relation": "less than"}, words1, true},
		{"length_constraints:number_words", kw{"num_words": 16, "relation": "less than"}, words2, false},
		{"length_constraints:number_words", kw{"num_words": 16, "relation": "at least"}, words2, true},
		{"length_constraints:nth_paragraph_first_word", kw{"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "I"}, pfw1, true},
		{"length_constraints:nth_paragraph_first_word", kw{"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "I"}, pfw2, false},
		{"length_constraints:nth_paragraph_first_word", kw{"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "I"}, pfw3, false},
		{"length_constraints:nth_paragraph_first_word", kw{"num_paragraphs": 5, "nth_paragraph": 5, "first_word": "haha"}, pfw4, true},
		{"length_constraints:nth_paragraph_first_word", kw{"num_paragraphs": 5, "nth_paragraph": 3, "first_word": "Really"}, pfw5, true},
		{"length_constraints:nth_paragraph_first_word", kw{"num_paragraphs": 5, "nth_paragraph": 3, "first_word": "Really"}, pfw6, false},
		{"keywords:forbidden_words", kw{"forbidden_words": []any{"HOUSE", "POWER", "BECOME"}}, fw1, false},
		{"keywords:forbidden_words", kw{"forbidden_words": []any{"HOUSE", "POWER", "BECOME"}}, fw2, true},
		{"keywords:forbidden_words", kw{"forbidden_words": []any{"HOUSE", "POWER", "BECOME"}}, fw3, true},
		{"keywords:forbidden_words", kw{"forbidden_words": []any{"GOOGLE", "TEXT"}}, fw1, true},
		{"keywords:forbidden_words", kw{"forbidden_words": []any{"GOOGLE", "TEXT"}}, fw2, true},
		{"keywords:forbidden_words", kw{"forbidden_words": []any{"GOOGLE", "TEXT"}}, fw3, false},
		{"keywords:forbidden_words", kw{"forbidden_words": []any{"GENE", "TRANSFORM"}}, fw3, true},
		{"combination:two_responses", nil, two1, true},
		{"combination:two_responses", nil, two2, false},
		{"combination:two_responses", nil, two3, false},
		{"combination:two_responses", nil, two4, false},
		{"combination:two_responses", nil, two5, true},
		{"combination:repeat_prompt", kw{"prompt_to_repeat": "Write a CL description."}, "Write a CL description. Hi, Le and TJ, please\n  check this out. Thanks.\n  ", true},
		{"combination:repeat_prompt", kw{"prompt_to_repeat": "Write a CL description."}, "Hi, Le and TJ. Write a CL description. Thanks.\n  ", false},
		{"startend:end_checker", kw{"end_phrase": "\n  Any more questions?\n  "}, "\n  The answer is 7. Any more questions?\n  ", true},
		{"startend:end_checker", kw{"end_phrase": "\n  This is the end.\n  "}, "\n  At the end of this prompt I am required to say that this is the end.\n  ", true},
		{"startend:end_checker", kw{"end_phrase": "\n  This will fail.\n  "}, "\n  This will fail. Paris is cool.\n  ", false},
		{"detectable_format:title", nil, "\n  <<Song of Joy>>\n  La la la. Happy song.\n  ", true},
		{"detectable_format:title", nil, "\n  Is it fine for title to be at the end?\n  <<This is the title>>\n  ", true},
		{"detectable_format:title", nil, "\n  << >>\n  There is no title.\n  ", false},
		{"detectable_format:title", nil, "\n  <<This is not a title.\n  This is a paragraph.>>\n  ", false},
		{"keywords:letter_frequency", kw{"letter": "T", "let_frequency": 4, "let_relation": "at least"}, "\n  There is the T. Four T's.\n  ", true},
		{"keywords:letter_frequency", kw{"letter": "a", "let_frequency": 4, "let_relation": "less than"}, "\n  asdfghjkl!!aA\n  ", true},
		{"keywords:letter_frequency", kw{"letter": "p", "let_frequency": 4, "let_relation": "at least"}, "\n  asdfghjkl!!aA\n  ", false},
		{"change_case:english_capital", nil, "\n  THIS IS AN ENGLISH SENTENCE. EVERY LETTER IS CAPITALIZED!!! AMAZING.\n  ", true},
		{"change_case:english_capital", nil, "\n  Every Word Is Capitalized.\n  ", false},
		{"change_case:english_lowercase", nil, "\n  every letter is lowercase.\n  ", true},
		{"change_case:english_lowercase", nil, "\n  Almost every letter is lowercase.\n  ", false},
		{"punctuation:no_comma", nil, "\n  Every sentence is short. There is no need for a comma.\n  ", true},
		{"punctuation:no_comma", nil, "\n  Since the start of time, people have always found a way to punctuate.\n  ", false},
		{"change_case:capital_word_frequency", kw{"capital_frequency": 3, "capital_relation": "at least"}, "\n  HERE there are THREE FUlly CAPITAL words.\n  ", true},
		{"change_case:capital_word_frequency", kw{"capital_frequency": 5, "capital_relation": "less than"}, "\n  THERE are Four FULLY CAPITAL WORDS. Many Others Are Only Partially So.\n  ", true},
		{"change_case:capital_word_frequency", kw{"capital_frequency": 4, "capital_relation": "less than"}, "\n  THERE are Four FULLY CAPITAL WORDS. Many Others Are Only Partially So.\n  ", false},
		{"startend:quotation", nil, "\n  \"This entire message is wrapped in double quotation marks.\"\n  ", true},
		{"startend:quotation", nil, "\n  \"This message is wrapped in double quotation marks.\" But not everything.\n  ", false},
	} {
		require.Equal(t, c.want, check(t, c.id, c.args, c.text), "%s %v on %q", c.id, c.args, c.text)
	}
}

// Facts about verifiable_instructions' own checkers (its repository has no
// tests): what check_following returns on these inputs.
func TestVerifiableInstructionsFacts(t *testing.T) {
	for _, c := range []struct {
		id   string
		args kw
		text string
		want bool
	}{
		{"paragraphs:paragraphs", nil, "first ***\nsecond", true},
		{"paragraphs:paragraphs", nil, "a\n***\n\n***\nb", false},
		{"paragraphs:paragraphs2", nil, "one\n\ntwo", true},
		{"paragraphs:paragraphs2", nil, "one\n\n\n\ntwo", false},
		{"first_word:first_word_sent", kw{"first_word": "the"}, "The first word is first. The first place.", true},
		{"first_word:first_word_sent", kw{"first_word": "the"}, "", true},
		{"first_word:first_word_answer", kw{"first_word": "hello"}, "Hello world", true},
		{"last_word:last_word_sent", kw{"last_word": "three"}, "One two three. Four three!", true},
		{"last_word:last_word_answer", kw{"last_word": "contest"}, "Ends with contest.", true},
		{"detectable_format:json_format", nil, "```json\n{\"a\": 1, \"b\": [1,2,NaN]}\n```", true},
		{"detectable_format:json_format", nil, "{\"a\": }", false},
		{"detectable_format:json_format", nil, "Infinity", true},
		{"detectable_format:square_brackets", nil, "[every] [word] [is] [bracketed]", true},
		{"detectable_format:bigram_wrapping", nil, "<<I am>> <<at home>> <<with my>> <<cute dog>>", true},
		{"detectable_format:sentence_hyphens", nil, "Sentence one.-Sentence two.-Sentence three.", true},
		{"detectable_format:sentence_hyphens", nil, "Sentence one. - Sentence two.", false},
		{"keywords:no_adjacent_consecutive", nil, "Apple banana cherry dog", false},
		{"keywords:no_adjacent_consecutive", nil, "Apple cherry egg", true},
		{"keywords:palindrome", nil, "racecar is a word", true},
		{"keywords:word_once", kw{"keyword": "contest"}, "Ends with contest.", true},
		{"keywords:exclude_word_harder", kw{"keyword": "is"}, "this is it", false},
		{"keywords:start_end", nil, "word in the middle word", true},
		{"keywords:keyword_specific_position", kw{"keyword": "is", "n": 2, "m": 2}, "One. It is here.", true},
		{"count:lowercase_counting", kw{"N": 3}, "ALL CAPS and SOME lowercase", true},
		{"count:count_unique", nil, "word word", false},
		{"count:count_increment_word", kw{"keyword1": "keyword", "keyword2": "word"}, "keyword word", true}, // "word" also matches inside "keyword"
		{"count:counting_composition", kw{"n_sent": 3, "n_words": 3}, "One two three. Four five six. Seven eight nine.\n***\nA b c. D e f. G h i.\n***\nJ k l. M n o. P q r.", false},
		{"letters:letter_counting", kw{"N": 10, "relation": "less than"}, "short", true},
		{"letters:letter_counting", kw{"N": 1, "relation": "about"}, "short", false},
		{"copy:copy", kw{"prompt_to_repeat": "Hello World"}, " hello world ", true},
		{"copy:copying_multiple", kw{"prompt_to_repeat": "same", "N": 2}, "same\n******\nsame", true},
		{"copy:repeat_phrase", kw{"phrase": "The early bird catches the worm", "small_n": 2}, "The early bird eats the worm and The late bird catches the worm", true},
		{"new:copy_span_idx", kw{"prompt_to_repeat": "hello world this is a test", "n_start": 6, "n_end": 11}, "World", true},
		{"punctuation:punctuation_dot", nil, "no dots here", true},
		{"punctuation:punctuation_exclamation", nil, "wow!", false},
		{"letters:letter_counting2", kw{"letter": "a", "let_frequency": 2, "let_relation": "at least"}, "banana", true},
		{"keywords:word_count_different_numbers", kw{"keyword": "word", "frequency": 3, "relation": "at least"}, "word word word", true},
	} {
		require.Equal(t, c.want, check(t, c.id, c.args, c.text), "%s %v on %q", c.id, c.args, c.text)
	}
}

func TestBadArguments(t *testing.T) {
	_, err := ifeval.New("no:such", nil)
	require.ErrorIs(t, err, ifeval.ErrUnknownInstruction)
	for _, c := range []struct {
		id   string
		args kw
		arg  string
	}{
		{"length_constraints:number_words", kw{"num_words": 5}, "relation"},
		{"length_constraints:number_words", kw{"num_words": -1, "relation": "at least"}, "num_words"},
		{"length_constraints:number_words", kw{"num_words": "5", "relation": "at least"}, "num_words"},
		{"length_constraints:number_words", kw{"num_words": 5, "relation": "at most"}, "relation"},
		{"detectable_format:title", kw{"title": "x"}, "title"},
		{"combination:repeat_prompt", kw{}, "prompt_to_repeat"},
		{"keywords:existence", kw{"keywords": []any{}}, "keywords"},
		{"language:response_language", kw{"language": "zh"}, "language"},
		{"length_constraints:nth_paragraph_first_word", kw{"num_paragraphs": 2, "nth_paragraph": 1.5, "first_word": "x"}, "nth_paragraph"},
	} {
		_, err := ifeval.New(c.id, c.args)
		var ae *ifeval.ArgError
		require.True(t, errors.As(err, &ae), "%s %v: %v", c.id, c.args, err)
		require.Equal(t, c.arg, ae.Arg)
	}
	_, err = ifeval.New("keywords:frequency", kw{"keyword": "x", "frequency": nil, "relation": "at least"})
	require.ErrorIs(t, err, ifeval.ErrUnset)
}

func TestSplitters(t *testing.T) {
	require.Equal(t, []string{"Hello Mr. Smith.", "How are you?", "I am fine.", "Wow!!", "Great... yes."},
		ifeval.Punkt("Hello Mr. Smith. How are you? I am fine. Wow!! Great... yes. "))
	require.Equal(t, 0, ifeval.CountSentences("   "))
	require.Equal(t, []string{"Good", "muffins", "cost", "$", "3.88", "in", "New", "York", ".", "Please", "buy", "me", "two", "of", "them", ".", "Thanks", ".", "I", "ca", "n't", "go", ",", "wo", "n't", "you", "?"},
		ifeval.WordTokenize("Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks. I can't go, won't you?"))
	require.Equal(t, []string{"Mr. Smith went to Washington.", "He arrived at 3 p.m. on Jan.", "5th.", "It was cold."},
		ifeval.SplitIntoSentences("Mr. Smith went to Washington. He arrived at 3 p.m. on Jan. 5th. It was cold."))
	lang, ok := ifeval.DetectLanguage("Bonjour tout le monde, comment allez-vous aujourd'hui?")
	require.True(t, ok)
	require.Equal(t, "fr", lang)
	_, ok = ifeval.DetectLanguage("12345 https://example.com/path !!!")
	require.False(t, ok)
}
