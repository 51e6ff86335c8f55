package ifeval_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/verifier/ifeval"
)

// langdetect.detect's answers where whatlanggo agrees, and cases the
// package documentation names where it does not.
func TestDetectLanguage(t *testing.T) {
	for text, want := range map[string]string{
		"Bonjour tout le monde, comment allez-vous aujourd'hui?":               "fr",
		"Hola, ¿cómo estás? Estoy bien, gracias.":                              "es",
		"Привет, как дела? У меня всё хорошо.":                                 "ru",
		"今天天气很好，我们去公园吧。":                                                       "zh-cn",
		"こんにちは、元気ですか？":                                                         "ja",
		"안녕하세요, 잘 지내세요?":                                                       "ko",
		"Dies ist ein deutscher Satz über das Wetter.":                         "de",
		"THIS IS AN ENGLISH SENTENCE. EVERY LETTER IS CAPITALIZED!!! AMAZING.": "en",
	} {
		got, ok := ifeval.DetectLanguage(text)
		require.True(t, ok, text)
		require.Equal(t, want, got, text)
	}
	// Short texts: langdetect says en, whatlanggo does not.
	for _, text := range []string{"hello world", "Apple banana cherry dog"} {
		got, _ := ifeval.DetectLanguage(text)
		require.NotEqual(t, "en", got, text)
	}
	// No letters once URLs and e-mail addresses are gone: undetectable.
	for _, text := range []string{"", "12345 67890 !!! ???", "https://example.com/path", "a@b.org"} {
		_, ok := ifeval.DetectLanguage(text)
		require.False(t, ok, text)
	}
}
