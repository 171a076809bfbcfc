// The audience window of the CAB room: what the projector shows. It imports nothing that calls
// Rust (its window is in no capability); the shell hands it each view through `relmanRoom`.
import { mount } from "svelte";

import Audience from "./pages/Audience.svelte";
import "./lib/theme.css";

const target = document.getElementById("audience");
if (!target) throw new Error("audience.html has no #audience element");

export default mount(Audience, { target });
