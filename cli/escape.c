#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "escape.h"

/* A well-formed UTF-8 sequence at @s: its length and code point, or 0. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

size_t escape_printable(const char *s)
{
	uint32_t cp;
	size_t len = utf8_decode((const unsigned char *)s, &cp);

	/* C0, DEL and C1 controls (0x9b is a one-byte CSI on some terminals) */
	if (!len || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == '\\')
		return 0;
	return len;
}

/* Calls @put for each piece of @s once escaped; @keep: the length to keep as is. */
static void escape_each(const char *s, size_t (*keep)(const char *s),
			void (*put)(const char *p, size_t n, void *arg), void *arg)
{
	static const char hex[] = "0123456789abcdef";

	while (*s) {
		size_t n = keep(s);

		if (n) {
			put(s, n, arg);
			s += n;
		} else {
			unsigned char c = (unsigned char)*s++;
			char x[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			put(x, sizeof(x), arg);
		}
	}
}

static void put_file(const char *p, size_t n, void *arg)
{
	fwrite(p, 1, n, arg);
}

void escape_put(const char *s, FILE *out)
{
	escape_each(s, escape_printable, put_file, out);
}

struct growing {
	char *buf;
	size_t len;
};

static void put_buf(const char *p, size_t n, void *arg)
{
	struct growing *g = arg;

	g->buf = xrealloc(g->buf, g->len + n + 1);
	memcpy(g->buf + g->len, p, n);
	g->len += n;
	g->buf[g->len] = '\0';
}

static size_t utf8_char(const char *s)
{
	uint32_t cp;

	return utf8_decode((const unsigned char *)s, &cp);
}

/* UTF-8 but the backslash, which escapes are made of. */
static size_t utf8_char_not_backslash(const char *s)
{
	return *s == '\\' ? 0 : utf8_char(s);
}

char *escape_label(const char *s)
{
	struct growing g = { xstrdup(""), 0 };

	escape_each(s, utf8_char_not_backslash, put_buf, &g);
	return g.buf;
}

char *escape_not_utf8(const char *s)
{
	struct growing g = { xstrdup(""), 0 };

	escape_each(s, utf8_char, put_buf, &g);
	return g.buf;
}

static void count(const char *p, size_t n, void *arg)
{
	(void)p;
	*(size_t *)arg += n == 4 && p[0] == '\\' && p[1] == 'x' ? 4 : 1;
}

size_t escape_width(const char *s)
{
	size_t width = 0;

	escape_each(s, escape_printable, count, &width);
	return width;
}
