// A module without imports: the route schemas read it at load time, which must not depend on the
// order in which the import cycle through the modules that follow MPI decisions is entered.

/** Most review pairs one request returns. */
export const REVIEW_PAGE_MAX = 200;
