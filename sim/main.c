/* letta-sim: placeholder until the simulator lands. */
#include <stdio.h>

int main(void)
{
	fputs("letta-sim: not implemented yet\n", stderr);
	return 1;
}
