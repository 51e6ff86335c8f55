package ifeval

import (
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/abadojack/whatlanggo"
)

// ifevalLanguages are verifiable_instructions' LANGUAGE_CODES, the
// languages language:response_language can ask for.
var ifevalLanguages = map[string]string{
	"en": "English", "es": "Spanish", "pt": "Portuguese", "ar": "Arabic", "hi": "Hindi",
	"fr": "French", "ru": "Russian", "de": "German", "ja": "Japanese", "it": "Italian",
	"bn": "Bengali", "uk": "Ukrainian", "th": "Thai", "ur": "Urdu", "ta": "Tamil",
	"te": "Telugu", "bg": "Bulgarian", "ko": "Korean", "pl": "Polish", "he": "Hebrew",
	"fa": "Persian", "vi": "Vietnamese", "ne": "Nepali", "sw": "Swahili", "kn": "Kannada",
	"mr": "Marathi", "gu": "Gujarati", "pa": "Punjabi", "ml": "Malayalam", "fi": "Finnish",
}

// langdetectCodes maps whatlanggo's languages onto the codes of Python's
// langdetect, for the languages both know. langdetect answers only with
// one of its 55 profiles, so detection is restricted to these.
var langdetectCodes = func() map[whatlanggo.Lang]string {
	known := []string{
		"af", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "fa", "fi",
		"fr", "gu", "he", "hi", "hr", "hu", "id", "it", "ja", "kn", "ko", "lt", "lv", "mk", "ml",
		"mr", "ne", "nl", "no", "pa", "pl", "pt", "ro", "ru", "sk", "sl", "so", "sq", "sv", "sw",
		"ta", "te", "th", "tl", "tr", "uk", "ur", "vi",
	}
	m := map[whatlanggo.Lang]string{
		whatlanggo.Cmn: "zh-cn", // langdetect tells zh-cn from zh-tw; whatlanggo does not
		whatlanggo.Pes: "fa",
		whatlanggo.Nob: "no",
		whatlanggo.Nno: "no",
	}
	for lang := range whatlanggo.Langs {
		code := lang.Iso6391()
		for _, k := range known {
			if code == k {
				m[lang] = code
			}
		}
	}
	return m
}()

var detectOptions = sync.OnceValue(func() whatlanggo.Options {
	w := make(map[whatlanggo.Lang]bool, len(langdetectCodes))
	for lang := range langdetectCodes {
		w[lang] = true
	}
	return whatlanggo.Options{Whitelist: w}
})

// DetectLanguage is langdetect.detect as the checkers use it: the
// language of text as one of langdetect's codes ("en", "fr", "zh-cn", ...).
// ok is false where langdetect raises LangDetectException because the text
// has no letters to go by, which the checkers count as followed.
//
// It is whatlanggo's trigram detector, restricted to the languages
// langdetect knows; see the package documentation for where the two
// disagree.
func DetectLanguage(text string) (lang string, ok bool) {
	// langdetect drops URLs and e-mail addresses before it counts n-grams.
	text = reURL.ReplaceAllString(text, " ")
	text = reMail.ReplaceAllString(text, " ")
	if strings.IndexFunc(text, unicode.IsLetter) < 0 {
		return "", false
	}
	info := whatlanggo.DetectWithOptions(text, detectOptions())
	if info.Script == nil {
		return "", false
	}
	code, known := langdetectCodes[info.Lang]
	if !known {
		return info.Lang.Iso6391(), true
	}
	return code, true
}

// langdetect's URL_RE and MAIL_RE.
var (
	reURL  = regexp.MustCompile(`https?://[-_.?&~;+=/#0-9A-Za-z]+`)
	reMail = regexp.MustCompile(`[-_.0-9A-Za-z]+@[-_0-9A-Za-z]+[-_.0-9A-Za-z]+`)
)
