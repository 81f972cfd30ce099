/** The CLI contract (design §5): 0 = ran, no violation; 1 = violation found; 2 = bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_BAD_INPUT = 2;
