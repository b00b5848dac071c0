/* lab/util.c: "did you mean": edit distance and the closest candidate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

/* Edit distance counting a swap of neighbours as one edit (words over 64 bytes: far). */
size_t
lab__distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t prev2[65], prev[65], cur[65];

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		memcpy(prev2, prev, sizeof prev);
		memcpy(prev, cur, sizeof cur);
	}
	return prev[lb];
}

/* The candidate nearest to word when it is a plausible typo, else NULL. */
const char *
lab__closest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t limit = strlen(word) <= 4 ? 1 : 2;

	for (const char *const *c = candidates; *c != NULL; c++) {
		size_t d = lab__distance(word, *c);

		if (d < best_d) {
			best_d = d;
			best = *c;
		}
	}
	return best_d <= limit ? best : NULL;
}
