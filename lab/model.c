/* lab/model.c: placeholder so the library builds before the parsers land. */
#include "lab.h"
