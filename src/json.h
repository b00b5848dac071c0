/* src/json.h: minimal JSON writing for --json output (strings escaped per RFC 8259). */
#ifndef UMLAB_JSON_H
#define UMLAB_JSON_H

#include <stdio.h>

void json_write_string(FILE *f, const char *s); /* writes "..." or null for NULL */

#endif
