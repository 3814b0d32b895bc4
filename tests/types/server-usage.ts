// The server entry under strict: declarations come with the package (issue 14 item 2).
import { createVerificationHandler, toNodeHandler, type VerificationHandlerOptions } from "hopae-connect-widget/server";

const options: VerificationHandlerOptions = {
  clientId: "id",
  clientSecret: "secret",
  allowedOrigins: ["https://shop.example"],
  rateLimit: { max: 5, windowMs: 60_000 },
  clientKey: (request) => request.headers.get("x-real-ip") ?? undefined,
};
const handler = createVerificationHandler(options);
const response: Promise<Response> = handler(new Request("http://localhost/api/verifications", { method: "POST" }));
void response;
const node = toNodeHandler(handler);
void node;
// @ts-expect-error clientSecret is required
createVerificationHandler({ clientId: "id" });
