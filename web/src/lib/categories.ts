import { Category } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { MessageKey } from "../i18n/index.js";

/** Every category, with its name's key: what buyers filter by and organizers file an event under. */
export const categoryKeys: ReadonlyArray<readonly [Category, MessageKey]> = [
  [Category.CONCERT, "category.concert"],
  [Category.THEATRE, "category.theatre"],
  [Category.SPORTS, "category.sports"],
  [Category.FESTIVAL, "category.festival"],
  [Category.COMEDY, "category.comedy"],
  [Category.CONFERENCE, "category.conference"],
  [Category.BUS, "category.bus"],
  [Category.TRAIN, "category.train"],
  [Category.FLIGHT, "category.flight"],
  [Category.FERRY, "category.ferry"],
  [Category.OTHER, "category.other"],
];
