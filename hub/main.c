/* hub/main.c: placeholder until the hub issue lands. */
#include <stdio.h>

int
main(void)
{
	fputs("hub: not implemented yet\n", stderr);
	return 1;
}
