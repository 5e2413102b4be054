export { Code } from "@marquee/mesh";
export { badFields, failureOf, preconditions } from "@marquee/mesh/testing";
