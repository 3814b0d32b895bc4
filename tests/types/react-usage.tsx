// React 19 + TypeScript strict: the component entry and the custom element in JSX.
import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import { HopaeVerify, type HopaeVerifyProps } from "hopae-connect-widget/react";
import type { HopaeCompletedDetail } from "hopae-connect-widget";

function App() {
  const [who, setWho] = useState<string>("");
  const props: HopaeVerifyProps = { endpoint: "/api/verifications", providerId: "bankidse" };
  return (
    <>
      <HopaeVerify
        {...props}
        pollInterval={2000}
        className="verify"
        onCompleted={(detail: HopaeCompletedDetail) => setWho(String(detail.verifiedAttributes.name))}
        onFailed={(detail, event) => console.warn(detail.code, event.type)}
      />
      <hopae-verify
        endpoint="/api/verifications"
        provider="frejaid"
        poll-interval={2000}
        onhopae-completed={(e) => setWho(e.detail.providerId)}
      />
      <hopae-verify endpoint="/api/verifications" provider="skmobileid" require-user-data="false" />
      <HopaeVerify endpoint="/api/verifications" providerId="smartid" userData={{ registrationId: "PNOEE-30303039914" }} />
      <HopaeVerify endpoint="/api/verifications" providerId="skmobileid" requireUserData={false} onFailed={(detail) => console.warn(detail.hopaeCode)} />
      {/* @ts-expect-error a boolean false would remove the attribute: "false" */}
      <hopae-verify endpoint="/api/verifications" provider="skmobileid" require-user-data={false} />
      {/* @ts-expect-error `provider` is the element's attribute; the component takes providerId */}
      <HopaeVerify endpoint="/api/verifications" providerId="bankidse" provider="bankidse" />
      {/* @ts-expect-error the component needs a providerId */}
      <HopaeVerify endpoint="/api/verifications" />
      {/* @ts-expect-error no such attribute on the element */}
      <hopae-verify endpoint="/api/verifications" providerid="bankidse" />
      <p>{who}</p>
    </>
  );
}

const root = document.getElementById("root");
if (root) createRoot(root).render(<StrictMode><App /></StrictMode>);
