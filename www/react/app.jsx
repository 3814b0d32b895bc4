// A React component that wraps <hopae-verify>. StrictMode mounts effects
// twice; the element keeps one verification.
import { StrictMode, useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import "/dist/define.js";

function Verify({ provider, pollInterval, onCompleted }) {
  const ref = useRef(null);
  useEffect(() => {
    const el = ref.current;
    const done = (event) => onCompleted(event.detail);
    el.addEventListener("hopae-completed", done);
    return () => el.removeEventListener("hopae-completed", done);
  }, [onCompleted]);
  return <hopae-verify ref={ref} endpoint="/api/verifications" provider={provider} poll-interval={pollInterval} />;
}

function App() {
  const [verified, setVerified] = useState(null);
  const pollInterval = new URLSearchParams(location.search).get("poll-interval") ?? "3000";
  if (verified) return <p className="welcome">Welcome, {verified.verifiedAttributes.given_name}!</p>;
  return <Verify provider="bankidse" pollInterval={pollInterval} onCompleted={setVerified} />;
}

createRoot(document.getElementById("app")).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
