/** An admin request the service would refuse: status and the Detail text the SDK shows. */
export class AdminError extends Error {
  override name = 'AdminError';

  constructor(
    readonly status: 400 | 401 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string): AdminError =>
  new AdminError(404, `SubCode=40400. Not Found. The messaging entity '${what}' was not found.`);

/** 409 without subcode 40901, which the SDK reads as MessageEntityAlreadyExistsError. */
export const alreadyExists = (what: string): AdminError =>
  new AdminError(409, `SubCode=40900. Conflict. The messaging entity '${what}' already exists.`);

export const badRequest = (detail: string): AdminError =>
  new AdminError(400, `SubCode=40000. Bad Request. ${detail}`);
