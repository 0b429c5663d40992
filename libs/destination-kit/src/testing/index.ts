// For destination tests: `@manifold/destination-kit/testing`, apart from the kit's API.
export { validateDefinition } from '../validate-definition';
